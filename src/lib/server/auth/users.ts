import { asc, eq, sql } from 'drizzle-orm';
import type { Db } from '$lib/server/db';
import { ROLES, userTeams, users, type Role } from '$lib/server/db/schema';
import { hashPassword, passwordProblem, spendPasswordTime, verifyPassword } from './password';
import { invalidateUserSessions, teamsOf } from './session';
import type { AuthUser } from './types';

/** A refusal the caller can show: bad input, not a crash. `code` is stable and maps to a message. */
export class AccountError extends Error {
	constructor(
		readonly code:
			| 'email_invalid'
			| 'email_taken'
			| 'role_invalid'
			| 'teams_required'
			| 'team_invalid'
			| 'password_too_short'
			| 'password_too_long'
			| 'not_found'
			| 'last_admin',
		message: string
	) {
		super(message);
		this.name = 'AccountError';
	}
}

export type UserRow = typeof users.$inferSelect;

export interface UserListing {
	id: string;
	email: string;
	name: string;
	role: Role;
	teams: string[];
	disabled: boolean;
	createdAt: number;
}

export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+$/;
const TEAM_PATTERN = /^[\w.:-]{1,64}$/;

export function isRole(value: string): value is Role {
	return (ROLES as readonly string[]).includes(value);
}

/** Splits "t1, t2" into distinct team ids; throws on an id that cannot be one. */
export function parseTeams(value: string | readonly string[] | null | undefined): string[] {
	const parts = (typeof value === 'string' ? value.split(',') : (value ?? []))
		.map((t) => t.trim())
		.filter(Boolean);
	for (const team of parts)
		if (!TEAM_PATTERN.test(team)) throw new AccountError('team_invalid', `"${team}" is not a team id`);
	return [...new Set(parts)];
}

function checkPassword(password: string) {
	const problem = passwordProblem(password);
	if (problem === 'too_short') throw new AccountError('password_too_short', 'The password is too short');
	if (problem === 'too_long') throw new AccountError('password_too_long', 'The password is too long');
}

/** Managers must be bound to at least one team; other roles see every team and keep none. */
function teamsForRole(role: Role, teams: readonly string[] | undefined): string[] {
	if (role !== 'manager') return [];
	const list = parseTeams(teams);
	if (list.length === 0)
		throw new AccountError('teams_required', 'A manager must be bound to at least one team');
	return list;
}

function replaceTeams(db: Db, userId: string, teams: readonly string[]) {
	db.delete(userTeams).where(eq(userTeams.userId, userId)).run();
	for (const teamId of teams) db.insert(userTeams).values({ userId, teamId }).run();
}

export function findUserByEmail(db: Db, email: string): UserRow | undefined {
	return db
		.select()
		.from(users)
		.where(eq(users.email, normalizeEmail(email)))
		.get();
}

export function getUser(db: Db, id: string): UserRow | undefined {
	return db.select().from(users).where(eq(users.id, id)).get();
}

export function countUsers(db: Db): number {
	return (
		db
			.select({ n: sql<number>`count(*)` })
			.from(users)
			.get()?.n ?? 0
	);
}

export interface NewUser {
	email: string;
	password: string;
	role: Role;
	name?: string;
	teams?: readonly string[];
	now?: number;
}

export async function createUser(db: Db, input: NewUser): Promise<UserListing> {
	const email = normalizeEmail(input.email);
	if (!EMAIL_PATTERN.test(email) || email.length > 254)
		throw new AccountError('email_invalid', `"${input.email}" is not an e-mail address`);
	if (!isRole(input.role)) throw new AccountError('role_invalid', `"${input.role}" is not a role`);
	const teams = teamsForRole(input.role, input.teams);
	checkPassword(input.password);
	if (findUserByEmail(db, email)) throw new AccountError('email_taken', `${email} already has an account`);
	const passwordHash = await hashPassword(input.password);
	const row = {
		id: crypto.randomUUID(),
		email,
		name: input.name?.trim() ?? '',
		passwordHash,
		role: input.role,
		disabled: false,
		createdAt: input.now ?? Date.now()
	};
	// better-sqlite3 has one connection: statements through `db` inside the callback are part of the transaction.
	db.transaction(() => {
		db.insert(users).values(row).run();
		replaceTeams(db, row.id, teams);
	});
	return {
		id: row.id,
		email,
		name: row.name,
		role: row.role,
		teams,
		disabled: false,
		createdAt: row.createdAt
	};
}

export function listUsers(db: Db): UserListing[] {
	const teamRows = db.select().from(userTeams).orderBy(asc(userTeams.teamId)).all();
	const byUser = new Map<string, string[]>();
	for (const { userId, teamId } of teamRows) byUser.set(userId, [...(byUser.get(userId) ?? []), teamId]);
	return db
		.select()
		.from(users)
		.orderBy(asc(users.email))
		.all()
		.map((u) => ({
			id: u.id,
			email: u.email,
			name: u.name,
			role: u.role,
			teams: byUser.get(u.id) ?? [],
			disabled: u.disabled,
			createdAt: u.createdAt
		}));
}

function activeAdmins(db: Db): number {
	return (
		db
			.select({ n: sql<number>`count(*)` })
			.from(users)
			.where(sql`${users.role} = 'admin' AND ${users.disabled} = 0`)
			.get()?.n ?? 0
	);
}

function requireUserRow(db: Db, id: string): UserRow {
	const row = getUser(db, id);
	if (!row) throw new AccountError('not_found', 'No such user');
	return row;
}

/** Changes role, teams and name. A change of role ends the user's sessions so the new rights apply at once. */
export function updateUser(
	db: Db,
	id: string,
	changes: { role: Role; teams?: readonly string[]; name?: string }
): { roleChanged: boolean; teams: string[] } {
	const row = requireUserRow(db, id);
	if (!isRole(changes.role)) throw new AccountError('role_invalid', `"${changes.role}" is not a role`);
	const teams = teamsForRole(changes.role, changes.teams);
	if (row.role === 'admin' && changes.role !== 'admin' && !row.disabled && activeAdmins(db) <= 1)
		throw new AccountError('last_admin', 'The last active admin cannot lose the admin role');
	db.transaction(() => {
		db.update(users)
			.set({ role: changes.role, ...(changes.name !== undefined ? { name: changes.name.trim() } : {}) })
			.where(eq(users.id, id))
			.run();
		replaceTeams(db, id, teams);
	});
	const roleChanged = row.role !== changes.role;
	if (roleChanged) invalidateUserSessions(db, id);
	return { roleChanged, teams };
}

/** Disables (signing the user out everywhere) or re-enables an account. */
export function setUserDisabled(db: Db, id: string, disabled: boolean): void {
	const row = requireUserRow(db, id);
	if (disabled && row.role === 'admin' && !row.disabled && activeAdmins(db) <= 1)
		throw new AccountError('last_admin', 'The last active admin cannot be disabled');
	db.update(users).set({ disabled }).where(eq(users.id, id)).run();
	if (disabled) invalidateUserSessions(db, id);
}

/**
 * Sets a new password and ends the user's sessions (all, or all but the one that changed it), so a leaked
 * password stops working everywhere.
 */
export async function setUserPassword(
	db: Db,
	id: string,
	password: string,
	keepSessionId?: string
): Promise<void> {
	requireUserRow(db, id);
	checkPassword(password);
	const passwordHash = await hashPassword(password);
	db.update(users).set({ passwordHash }).where(eq(users.id, id)).run();
	invalidateUserSessions(db, id, keepSessionId);
}

export type AuthenticationResult = { ok: true; user: UserRow } | { ok: false; user: UserRow | undefined };

/**
 * Checks an e-mail and password. An unknown e-mail costs the same time as a wrong password, and a disabled
 * account answers like a wrong password, so neither can be told apart from outside.
 */
export async function authenticate(db: Db, email: string, password: string): Promise<AuthenticationResult> {
	const user = findUserByEmail(db, email);
	if (!user) {
		await spendPasswordTime(password);
		return { ok: false, user: undefined };
	}
	const valid = await verifyPassword(user.passwordHash, password);
	return valid && !user.disabled ? { ok: true, user } : { ok: false, user };
}

export function toAuthUser(db: Db, row: UserRow): AuthUser {
	return {
		id: row.id,
		email: row.email,
		name: row.name,
		role: row.role,
		teams: row.role === 'manager' ? teamsOf(db, row.id) : [],
		via: 'session'
	};
}
