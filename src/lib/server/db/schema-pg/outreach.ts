// Derived from ../schema/outreach.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { bigint, doublePrecision, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { jsonText } from './column-types';
import type { AudienceGroup } from '../schema/outreach';

export const audiences = pgTable(
	'audiences',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		name: text('name').notNull(),
		rule: jsonText('rule').$type<Record<string, unknown>>().notNull(),
		outcome: jsonText('outcome').$type<Record<string, unknown>>().notNull(),
		holdoutPercent: doublePrecision('holdout_percent').notNull(),
		/** The teams whose customers it was drawn from (null: the whole center); a manager's are their teams. */
		teams: jsonText('teams').$type<string[] | null>(),
		members: bigint('members', { mode: 'number' }).notNull(),
		treatment: bigint('treatment', { mode: 'number' }).notNull(),
		holdout: bigint('holdout', { mode: 'number' }).notNull(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull(),
		createdBy: text('created_by')
	},
	(t) => [index('audiences_created').on(t.createdAt)]
);

/** The frozen members of an audience and their group (`treatment` is exported; `holdout` never is). */
export const audienceMembers = pgTable(
	'audience_members',
	{
		audienceId: bigint('audience_id', { mode: 'number' })
			.notNull()
			.references(() => audiences.id, { onDelete: 'cascade' }),
		customerId: text('customer_id').notNull(),
		group: text('grp').$type<AudienceGroup>().notNull()
	},
	(t) => [
		primaryKey({ columns: [t.audienceId, t.customerId] }),
		index('audience_members_group').on(t.audienceId, t.group, t.customerId),
		// Deleting one customer's data (PIPL) finds their memberships.
		index('audience_members_customer').on(t.customerId)
	]
);
