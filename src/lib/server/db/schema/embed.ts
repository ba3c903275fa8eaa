import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * A signed-embed integration (DESIGN.md "Embedded analytics"): a host system that signs HS256 tokens with its own
 * secret. The secret must be readable to verify HMACs, so it is stored sealed (AES-256-GCM under
 * RESONANCE_EMBED_KEY) or, without that key, as is with the `plain:` prefix (embed/secret.ts says why).
 */
export const embedIntegrations = sqliteTable('embed_integrations', {
	id: text('id').primaryKey(),
	name: text('name').notNull(),
	/** Origins allowed to frame the views (frame-ancestors) and to receive resize messages. */
	origins: text('origins', { mode: 'json' }).$type<string[]>().notNull().default([]),
	secret: text('secret').notNull(),
	/** Tokens issued (iat) before this time (epoch ms) are refused; 0 = none revoked. */
	revokedBefore: integer('revoked_before').notNull().default(0),
	createdAt: integer('created_at').notNull(),
	createdBy: text('created_by')
});

/** One row per embed page view (the usage record shown on /admin/embed). Kept after an integration is removed. */
export const embedViews = sqliteTable(
	'embed_views',
	{
		id: integer('id').primaryKey(),
		integrationId: text('integration_id').notNull(),
		ts: integer('ts').notNull(),
		type: text('type').notNull(),
		key: text('key'),
		sub: text('sub'),
		origin: text('origin')
	},
	(t) => [index('embed_views_integration_ts').on(t.integrationId, t.ts)]
);
