import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const ROLES = ['admin', 'executive', 'researcher', 'manager'] as const;
export type Role = (typeof ROLES)[number];

export const users = sqliteTable('users', {
	id: text('id').primaryKey(),
	email: text('email').notNull().unique(),
	name: text('name').notNull().default(''),
	passwordHash: text('password_hash').notNull(),
	role: text('role').$type<Role>().notNull(),
	disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
	createdAt: integer('created_at').notNull()
});

/** The teams a manager is bound to; every query of a manager is scoped to these. */
export const userTeams = sqliteTable(
	'user_teams',
	{
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		teamId: text('team_id').notNull()
	},
	(t) => [primaryKey({ columns: [t.userId, t.teamId] })]
);

/** Sessions the Lucia way: `id` is the SHA-256 (hex) of the token in the cookie; the token itself is never stored. */
export const sessions = sqliteTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: integer('expires_at').notNull(),
		createdAt: integer('created_at').notNull(),
		ip: text('ip'),
		userAgent: text('user_agent')
	},
	(t) => [index('sessions_user').on(t.userId)]
);

/** An ingestion source: a system that sends events with its own write keys. */
export const sources = sqliteTable('sources', {
	id: integer('id').primaryKey(),
	name: text('name').notNull(),
	/** Browser origins allowed to post to the Segment routes (CORS); empty means none. */
	allowedOrigins: text('allowed_origins', { mode: 'json' }).$type<string[]>().notNull().default([]),
	/** Token-bucket rate limit in events per second; null uses the server default. */
	rateLimitPerSecond: integer('rate_limit_per_second'),
	createdAt: integer('created_at').notNull()
});

/** Write keys (bound to a source) and read keys (bound to a role, optionally teams). Only a SHA-256 is stored. */
export const apiKeys = sqliteTable('api_keys', {
	id: integer('id').primaryKey(),
	kind: text('kind').$type<'write' | 'read'>().notNull(),
	name: text('name').notNull(),
	sourceId: integer('source_id').references(() => sources.id),
	role: text('role').$type<Role>(),
	teams: text('teams', { mode: 'json' }).$type<string[]>().notNull().default([]),
	keyHash: text('key_hash').notNull().unique(),
	/** The first characters of the key, to recognise it in lists. */
	prefix: text('prefix').notNull(),
	createdAt: integer('created_at').notNull(),
	createdBy: text('created_by'),
	revokedAt: integer('revoked_at'),
	lastUsedAt: integer('last_used_at')
});

export const auditLog = sqliteTable(
	'audit_log',
	{
		id: integer('id').primaryKey(),
		ts: integer('ts').notNull(),
		actorId: text('actor_id'),
		actorEmail: text('actor_email'),
		action: text('action').notNull(),
		target: text('target'),
		ip: text('ip'),
		details: text('details', { mode: 'json' }).$type<Record<string, unknown>>().notNull().default({})
	},
	(t) => [index('audit_log_ts').on(t.ts), index('audit_log_action').on(t.action, t.ts)]
);
