import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Outreach audiences with a holdout (issue 19, DOMAIN.md "Acting on what is measured"; src/lib/server/outreach):
 * an audience is a rule evaluated once, when it is created; its members are frozen here with their group.
 */

export const AUDIENCE_GROUPS = ['treatment', 'holdout'] as const;
export type AudienceGroup = (typeof AUDIENCE_GROUPS)[number];

/** An audience. `rule` and `outcome` hold the validated request (outreach/rules.ts); counts are fixed at creation. */
export const audiences = sqliteTable(
	'audiences',
	{
		id: integer('id').primaryKey(),
		name: text('name').notNull(),
		rule: text('rule', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
		outcome: text('outcome', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
		holdoutPercent: real('holdout_percent').notNull(),
		/** The teams whose customers it was drawn from (null: the whole center); a manager's are their teams. */
		teams: text('teams', { mode: 'json' }).$type<string[] | null>(),
		members: integer('members').notNull(),
		treatment: integer('treatment').notNull(),
		holdout: integer('holdout').notNull(),
		createdAt: integer('created_at').notNull(),
		createdBy: text('created_by')
	},
	(t) => [index('audiences_created').on(t.createdAt)]
);

/** The frozen members of an audience and their group (`treatment` is exported; `holdout` never is). */
export const audienceMembers = sqliteTable(
	'audience_members',
	{
		audienceId: integer('audience_id')
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

export type AudienceRow = typeof audiences.$inferSelect;
export type AudienceMemberRow = typeof audienceMembers.$inferSelect;
