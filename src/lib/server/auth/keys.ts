import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, asc, desc, eq, isNull } from 'drizzle-orm';
import { timingSafeEqual } from 'node:crypto';
import type { Db } from '$lib/server/db';
import { apiKeys, sources, type Role } from '$lib/server/db/schema';
import type { AuthUser } from './types';

/** Key text: `rsn_w_…` (write) or `rsn_r_…` (read), 160 random bits. Only its SHA-256 is stored. */
export function generateKey(kind: 'write' | 'read'): string {
	const bytes = crypto.getRandomValues(new Uint8Array(20));
	return `rsn_${kind === 'write' ? 'w' : 'r'}_${encodeBase32LowerCaseNoPadding(bytes)}`;
}

export function hashKey(key: string): string {
	return encodeHexLowerCase(sha256(new TextEncoder().encode(key)));
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
	const x = Buffer.from(a, 'hex');
	const y = Buffer.from(b, 'hex');
	return x.length === y.length && timingSafeEqual(x, y);
}

export interface WriteKeyIdentity {
	keyId: number;
	sourceId: number;
	allowedOrigins: string[];
	rateLimitPerSecond: number | null;
}

export interface ReadKeyIdentity {
	keyId: number;
	role: Role;
	teams: string[];
	name: string;
}

function findActiveKey(db: Db, key: string, kind: 'write' | 'read') {
	const digest = hashKey(key);
	const row = db
		.select()
		.from(apiKeys)
		.where(and(eq(apiKeys.keyHash, digest), eq(apiKeys.kind, kind), isNull(apiKeys.revokedAt)))
		.get();
	// The lookup is by digest; the final comparison is constant-time so timing reveals nothing of the stored value.
	return row && sameDigest(row.keyHash, digest) ? row : undefined;
}

/** How often last-used times are written back (a hot key would otherwise write on every request). */
const LAST_USED_RESOLUTION_MS = 60_000;

function touch(db: Db, id: number, lastUsedAt: number | null) {
	const now = Date.now();
	if (lastUsedAt === null || now - lastUsedAt > LAST_USED_RESOLUTION_MS)
		db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, id)).run();
}

/** The source behind an active write key, or null for an unknown or revoked key. */
export function verifyWriteKey(db: Db, key: string): WriteKeyIdentity | null {
	if (!key) return null;
	const row = findActiveKey(db, key, 'write');
	if (!row || row.sourceId === null) return null;
	const source = db.select().from(sources).where(eq(sources.id, row.sourceId)).get();
	if (!source) return null;
	touch(db, row.id, row.lastUsedAt);
	return {
		keyId: row.id,
		sourceId: source.id,
		allowedOrigins: source.allowedOrigins,
		rateLimitPerSecond: source.rateLimitPerSecond
	};
}

/** The role behind an active read key, or null. */
export function verifyReadKey(db: Db, key: string): ReadKeyIdentity | null {
	if (!key) return null;
	const row = findActiveKey(db, key, 'read');
	if (!row || !row.role) return null;
	touch(db, row.id, row.lastUsedAt);
	return { keyId: row.id, role: row.role, teams: row.teams, name: row.name };
}

export interface CreatedKey {
	id: number;
	key: string;
	prefix: string;
}

/** Creates a source (when `sourceName` names a new one) with a write key; the key text is returned once. */
export function createWriteKey(
	db: Db,
	options: { name: string; sourceId?: number; allowedOrigins?: string[]; createdBy?: string; key?: string }
): CreatedKey & { sourceId: number } {
	const now = Date.now();
	const sourceId =
		options.sourceId ??
		db
			.insert(sources)
			.values({ name: options.name, allowedOrigins: options.allowedOrigins ?? [], createdAt: now })
			.returning({ id: sources.id })
			.get().id;
	const key = options.key ?? generateKey('write');
	const prefix = key.slice(0, 10);
	const id = db
		.insert(apiKeys)
		.values({
			kind: 'write',
			name: options.name,
			sourceId,
			keyHash: hashKey(key),
			prefix,
			createdAt: now,
			createdBy: options.createdBy ?? null
		})
		.returning({ id: apiKeys.id })
		.get().id;
	return { id, key, prefix, sourceId };
}

/** Creates a read key bound to a role (and teams for a manager); the key text is returned once. */
export function createReadKey(
	db: Db,
	options: { name: string; role: Role; teams?: string[]; createdBy?: string }
): CreatedKey {
	const key = generateKey('read');
	const prefix = key.slice(0, 10);
	const id = db
		.insert(apiKeys)
		.values({
			kind: 'read',
			name: options.name,
			role: options.role,
			teams: options.teams ?? [],
			keyHash: hashKey(key),
			prefix,
			createdAt: Date.now(),
			createdBy: options.createdBy ?? null
		})
		.returning({ id: apiKeys.id })
		.get().id;
	return { id, key, prefix };
}

/** Ensures an active write key with exactly this text exists (RESONANCE_WRITE_KEY at start). */
export function ensureWriteKey(
	db: Db,
	key: string,
	name = 'default'
): { sourceId: number; created: boolean } {
	const existing = findActiveKey(db, key, 'write');
	if (existing?.sourceId) return { sourceId: existing.sourceId, created: false };
	const created = createWriteKey(db, { name, key });
	return { sourceId: created.sourceId, created: true };
}

export function revokeKey(db: Db, id: number): boolean {
	return (
		db
			.update(apiKeys)
			.set({ revokedAt: Date.now() })
			.where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
			.run().changes > 0
	);
}

/** What a valid read key acts as: its role, and its teams when the role is manager. */
export function readKeyUser(identity: ReadKeyIdentity): AuthUser {
	return {
		id: `key:${identity.keyId}`,
		email: `key:${identity.keyId}`,
		name: identity.name,
		role: identity.role,
		teams: identity.role === 'manager' ? identity.teams : [],
		via: 'read-key'
	};
}

/** The key text after `Bearer ` in an Authorization header, or null. */
export function bearerToken(header: string | null): string | null {
	const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
	return match ? match[1] : null;
}

export function isReadKeyText(text: string): boolean {
	return text.startsWith('rsn_r_');
}

export function isWriteKeyText(text: string): boolean {
	return text.startsWith('rsn_w_');
}

/** A refused key operation (bad input, unknown id): shown to the admin, not a crash. */
export class KeyError extends Error {
	constructor(
		readonly code:
			| 'name_required'
			| 'source_not_found'
			| 'not_found'
			| 'origin_invalid'
			| 'teams_required'
			| 'role_required',
		message: string
	) {
		super(message);
		this.name = 'KeyError';
	}
}

/** Parses allowed browser origins (one per line or comma-separated) into `scheme://host[:port]` strings. */
export function parseOrigins(text: string | readonly string[]): string[] {
	const parts = (typeof text === 'string' ? text.split(/[\s,]+/) : text).map((p) => p.trim()).filter(Boolean);
	const origins = parts.map((part) => {
		let url: URL;
		try {
			url = new URL(part);
		} catch {
			throw new KeyError('origin_invalid', `"${part}" is not an origin like https://www.example.com`);
		}
		if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== part.replace(/\/$/, ''))
			throw new KeyError('origin_invalid', `"${part}" is not an origin like https://www.example.com`);
		return url.origin;
	});
	return [...new Set(origins)];
}

export type SourceRow = typeof sources.$inferSelect;

export function listSources(db: Db): SourceRow[] {
	return db.select().from(sources).orderBy(asc(sources.name), asc(sources.id)).all();
}

export function getSource(db: Db, id: number): SourceRow | undefined {
	return db.select().from(sources).where(eq(sources.id, id)).get();
}

export function setSourceOrigins(db: Db, id: number, allowedOrigins: string[]): void {
	if (!getSource(db, id)) throw new KeyError('source_not_found', `No source ${id}`);
	db.update(sources).set({ allowedOrigins }).where(eq(sources.id, id)).run();
}

export interface KeyListing {
	id: number;
	kind: 'write' | 'read';
	name: string;
	prefix: string;
	sourceId: number | null;
	sourceName: string | null;
	role: Role | null;
	teams: string[];
	createdAt: number;
	createdBy: string | null;
	lastUsedAt: number | null;
	revokedAt: number | null;
}

/** Every key (never its text: only the prefix), newest first. */
export function listKeys(db: Db): KeyListing[] {
	return db
		.select({
			id: apiKeys.id,
			kind: apiKeys.kind,
			name: apiKeys.name,
			prefix: apiKeys.prefix,
			sourceId: apiKeys.sourceId,
			sourceName: sources.name,
			role: apiKeys.role,
			teams: apiKeys.teams,
			createdAt: apiKeys.createdAt,
			createdBy: apiKeys.createdBy,
			lastUsedAt: apiKeys.lastUsedAt,
			revokedAt: apiKeys.revokedAt
		})
		.from(apiKeys)
		.leftJoin(sources, eq(apiKeys.sourceId, sources.id))
		.orderBy(desc(apiKeys.createdAt), desc(apiKeys.id))
		.all();
}

export function getKey(db: Db, id: number): KeyListing | undefined {
	return listKeys(db).find((k) => k.id === id);
}

/** Validates and creates a write key (new source, or another key for an existing one). */
export function addWriteKey(
	db: Db,
	input: { name: string; sourceId?: number; allowedOrigins?: string[]; createdBy?: string }
): CreatedKey & { sourceId: number } {
	const name = input.name.trim();
	if (!name) throw new KeyError('name_required', 'A key needs a name');
	if (input.sourceId !== undefined && !getSource(db, input.sourceId))
		throw new KeyError('source_not_found', `No source ${input.sourceId}`);
	return createWriteKey(db, { ...input, name });
}

/** Validates and creates a read key; a manager's key must name its teams. */
export function addReadKey(
	db: Db,
	input: { name: string; role: Role | undefined; teams?: string[]; createdBy?: string }
): CreatedKey {
	const name = input.name.trim();
	if (!name) throw new KeyError('name_required', 'A key needs a name');
	if (!input.role) throw new KeyError('role_required', 'A read key needs a role');
	const teams = input.role === 'manager' ? [...new Set(input.teams ?? [])] : [];
	if (input.role === 'manager' && teams.length === 0)
		throw new KeyError('teams_required', 'A read key with the manager role needs at least one team');
	return createReadKey(db, { name, role: input.role, teams, createdBy: input.createdBy });
}
