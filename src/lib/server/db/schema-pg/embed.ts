// Derived from ../schema/embed.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { sql } from 'drizzle-orm';
import { bigint, index, pgTable, text } from 'drizzle-orm/pg-core';
import { jsonText } from './column-types';

export const embedIntegrations = pgTable('embed_integrations', {
	id: text('id').primaryKey(),
	name: text('name').notNull(),
	/** Origins allowed to frame the views (frame-ancestors) and to receive resize messages. */
	origins: jsonText('origins')
		.$type<string[]>()
		.notNull()
		.default(sql`'[]'`),
	secret: text('secret').notNull(),
	/** Tokens issued (iat) before this time (epoch ms) are refused; 0 = none revoked. */
	revokedBefore: bigint('revoked_before', { mode: 'number' }).notNull().default(0),
	createdAt: bigint('created_at', { mode: 'number' }).notNull(),
	createdBy: text('created_by')
});

/** One row per embed page view (the usage record shown on /admin/embed). Kept after an integration is removed. */
export const embedViews = pgTable(
	'embed_views',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		integrationId: text('integration_id').notNull(),
		ts: bigint('ts', { mode: 'number' }).notNull(),
		type: text('type').notNull(),
		key: text('key'),
		sub: text('sub'),
		origin: text('origin')
	},
	(t) => [index('embed_views_integration_ts').on(t.integrationId, t.ts)]
);
