// Derived from ../schema/access.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { sql } from 'drizzle-orm';
import { bigint, index, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { flag, jsonText } from './column-types';
import type { Role } from '../schema/access';

export const users = pgTable('users', {
	id: text('id').primaryKey(),
	email: text('email').notNull().unique(),
	name: text('name').notNull().default(''),
	passwordHash: text('password_hash').notNull(),
	role: text('role').$type<Role>().notNull(),
	disabled: flag('disabled')
		.notNull()
		.default(sql`0`),
	createdAt: bigint('created_at', { mode: 'number' }).notNull()
});

/** The teams a manager is bound to; every query of a manager is scoped to these. */
export const userTeams = pgTable(
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
export const sessions = pgTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		userId: text('user_id')
			.notNull()
			.references(() => users.id, { onDelete: 'cascade' }),
		expiresAt: bigint('expires_at', { mode: 'number' }).notNull(),
		createdAt: bigint('created_at', { mode: 'number' }).notNull(),
		ip: text('ip'),
		userAgent: text('user_agent')
	},
	(t) => [index('sessions_user').on(t.userId)]
);

/** An ingestion source: a system that sends events with its own write keys. */
export const sources = pgTable('sources', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	name: text('name').notNull(),
	/** Browser origins allowed to post to the Segment routes (CORS); empty means none. */
	allowedOrigins: jsonText('allowed_origins')
		.$type<string[]>()
		.notNull()
		.default(sql`'[]'`),
	/** Token-bucket rate limit in events per second; null uses the server default. */
	rateLimitPerSecond: bigint('rate_limit_per_second', { mode: 'number' }),
	createdAt: bigint('created_at', { mode: 'number' }).notNull()
});

/** Write keys (bound to a source) and read keys (bound to a role, optionally teams). Only a SHA-256 is stored. */
export const apiKeys = pgTable('api_keys', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	kind: text('kind').$type<'write' | 'read'>().notNull(),
	name: text('name').notNull(),
	sourceId: bigint('source_id', { mode: 'number' }).references(() => sources.id),
	role: text('role').$type<Role>(),
	teams: jsonText('teams')
		.$type<string[]>()
		.notNull()
		.default(sql`'[]'`),
	keyHash: text('key_hash').notNull().unique(),
	/** The first characters of the key, to recognise it in lists. */
	prefix: text('prefix').notNull(),
	createdAt: bigint('created_at', { mode: 'number' }).notNull(),
	createdBy: text('created_by'),
	revokedAt: bigint('revoked_at', { mode: 'number' }),
	lastUsedAt: bigint('last_used_at', { mode: 'number' })
});

export const auditLog = pgTable(
	'audit_log',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		ts: bigint('ts', { mode: 'number' }).notNull(),
		actorId: text('actor_id'),
		actorEmail: text('actor_email'),
		action: text('action').notNull(),
		target: text('target'),
		ip: text('ip'),
		details: jsonText('details')
			.$type<Record<string, unknown>>()
			.notNull()
			.default(sql`'{}'`)
	},
	(t) => [index('audit_log_ts').on(t.ts), index('audit_log_action').on(t.action, t.ts)]
);
