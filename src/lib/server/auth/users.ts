import type { Db } from '$lib/server/db';
import { ROLES, type Role } from '$lib/server/db/schema';
import type { Storage } from '$lib/server/db/storage';
import { hashPassword, passwordProblem, spendPasswordTime, verifyPassword } from './password';
import { invalidateUserSessions, teamsOf } from './session';
import { authStore, type UserRow } from './store';
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

export type { UserRow };

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

export async function findUserByEmail(target: Db | Storage, email: string): Promise<UserRow | undefined> {
	return authStore(target).userByEmail(normalizeEmail(email));
}

export async function getUser(target: Db | Storage, id: string): Promise<UserRow | undefined> {
	return authStore(target).user(id);
}

export async function countUsers(target: Db | Storage): Promise<number> {
	return authStore(target).countUsers();
}

export interface NewUser {
	email: string;
	password: string;
	role: Role;
	name?: string;
	teams?: readonly string[];
	now?: number;
}

export async function createUser(db: Db | Storage, input: NewUser): Promise<UserListing> {
	const email = normalizeEmail(input.email);
	if (!EMAIL_PATTERN.test(email) || email.length > 254)
		throw new AccountError('email_invalid', `"${input.email}" is not an e-mail address`);
	if (!isRole(input.role)) throw new AccountError('role_invalid', `"${input.role}" is not a role`);
	const teams = teamsForRole(input.role, input.teams);
	checkPassword(input.password);
	if (await findUserByEmail(db, email))
		throw new AccountError('email_taken', `${email} already has an account`);
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
	await authStore(db).insertUser(row, teams);
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

export async function listUsers(db: Db | Storage): Promise<UserListing[]> {
	const { users: rows, teams: teamRows } = await authStore(db).users();
	const byUser = new Map<string, string[]>();
	for (const { userId, teamId } of teamRows) byUser.set(userId, [...(byUser.get(userId) ?? []), teamId]);
	return rows.map((u) => ({
		id: u.id,
		email: u.email,
		name: u.name,
		role: u.role,
		teams: byUser.get(u.id) ?? [],
		disabled: u.disabled,
		createdAt: u.createdAt
	}));
}

async function requireUserRow(db: Db | Storage, id: string): Promise<UserRow> {
	const row = await getUser(db, id);
	if (!row) throw new AccountError('not_found', 'No such user');
	return row;
}

/** Changes role, teams and name. A change of role ends the user's sessions so the new rights apply at once. */
export async function updateUser(
	db: Db | Storage,
	id: string,
	changes: { role: Role; teams?: readonly string[]; name?: string }
): Promise<{ roleChanged: boolean; teams: string[] }> {
	const row = await requireUserRow(db, id);
	if (!isRole(changes.role)) throw new AccountError('role_invalid', `"${changes.role}" is not a role`);
	const teams = teamsForRole(changes.role, changes.teams);
	if (
		row.role === 'admin' &&
		changes.role !== 'admin' &&
		!row.disabled &&
		(await authStore(db).activeAdmins()) <= 1
	)
		throw new AccountError('last_admin', 'The last active admin cannot lose the admin role');
	await authStore(db).updateUser(
		id,
		{ role: changes.role, ...(changes.name !== undefined ? { name: changes.name.trim() } : {}) },
		teams
	);
	const roleChanged = row.role !== changes.role;
	if (roleChanged) await invalidateUserSessions(db, id);
	return { roleChanged, teams };
}

/** Disables (signing the user out everywhere) or re-enables an account. */
export async function setUserDisabled(db: Db | Storage, id: string, disabled: boolean): Promise<void> {
	const row = await requireUserRow(db, id);
	if (disabled && row.role === 'admin' && !row.disabled && (await authStore(db).activeAdmins()) <= 1)
		throw new AccountError('last_admin', 'The last active admin cannot be disabled');
	await authStore(db).setUserDisabled(id, disabled);
	if (disabled) await invalidateUserSessions(db, id);
}

/**
 * Sets a new password and ends the user's sessions (all, or all but the one that changed it), so a leaked
 * password stops working everywhere.
 */
export async function setUserPassword(
	db: Db | Storage,
	id: string,
	password: string,
	keepSessionId?: string
): Promise<void> {
	await requireUserRow(db, id);
	checkPassword(password);
	const passwordHash = await hashPassword(password);
	await authStore(db).setPasswordHash(id, passwordHash);
	await invalidateUserSessions(db, id, keepSessionId);
}

export type AuthenticationResult = { ok: true; user: UserRow } | { ok: false; user: UserRow | undefined };

/**
 * Checks an e-mail and password. An unknown e-mail costs the same time as a wrong password, and a disabled
 * account answers like a wrong password, so neither can be told apart from outside.
 */
export async function authenticate(
	db: Db | Storage,
	email: string,
	password: string
): Promise<AuthenticationResult> {
	const user = await findUserByEmail(db, email);
	if (!user) {
		await spendPasswordTime(password);
		return { ok: false, user: undefined };
	}
	const valid = await verifyPassword(user.passwordHash, password);
	return valid && !user.disabled ? { ok: true, user } : { ok: false, user };
}

export async function toAuthUser(db: Db | Storage, row: UserRow): Promise<AuthUser> {
	return {
		id: row.id,
		email: row.email,
		name: row.name,
		role: row.role,
		teams: row.role === 'manager' ? await teamsOf(db, row.id) : [],
		via: 'session'
	};
}
