import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { timingSafeEqual } from 'node:crypto';
import type { Db } from '$lib/server/db';
import type { Role } from '$lib/server/db/schema';
import { asStorage, type Storage } from '$lib/server/db/storage';
import { invalidate, onInvalidate } from '$lib/server/live/relay';
import { authStore, type KeyListing, type SourceRow } from './store';
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

async function findActiveKey(db: Db | Storage, key: string, kind: 'write' | 'read') {
	const digest = hashKey(key);
	const row = await authStore(db).activeKey(digest, kind);
	// The lookup is by digest; the final comparison is constant-time so timing reveals nothing of the stored value.
	return row && sameDigest(row.keyHash, digest) ? row : undefined;
}

/** How often last-used times are written back (a hot key would otherwise write on every request). */
const LAST_USED_RESOLUTION_MS = 60_000;

async function touch(db: Db | Storage, id: number, lastUsedAt: number | null) {
	const now = Date.now();
	if (lastUsedAt === null || now - lastUsedAt > LAST_USED_RESOLUTION_MS)
		await authStore(db).touchKey(id, now);
}

/** The source behind an active write key, or null for an unknown or revoked key. */
export async function verifyWriteKey(db: Db | Storage, key: string): Promise<WriteKeyIdentity | null> {
	if (!key) return null;
	const row = await findActiveKey(db, key, 'write');
	if (!row || row.sourceId === null) return null;
	const source = await authStore(db).source(row.sourceId);
	if (!source) return null;
	await touch(db, row.id, row.lastUsedAt);
	return {
		keyId: row.id,
		sourceId: source.id,
		allowedOrigins: source.allowedOrigins,
		rateLimitPerSecond: source.rateLimitPerSecond
	};
}

/** The role behind an active read key, or null. */
export async function verifyReadKey(db: Db | Storage, key: string): Promise<ReadKeyIdentity | null> {
	if (!key) return null;
	const row = await findActiveKey(db, key, 'read');
	if (!row || !row.role) return null;
	await touch(db, row.id, row.lastUsedAt);
	return { keyId: row.id, role: row.role, teams: row.teams, name: row.name };
}

export interface CreatedKey {
	id: number;
	key: string;
	prefix: string;
}

/** Creates a source (when `sourceName` names a new one) with a write key; the key text is returned once. */
export async function createWriteKey(
	db: Db | Storage,
	options: { name: string; sourceId?: number; allowedOrigins?: string[]; createdBy?: string; key?: string }
): Promise<CreatedKey & { sourceId: number }> {
	const now = Date.now();
	const store = authStore(db);
	const sourceId =
		options.sourceId ??
		(await store.insertSource({
			name: options.name,
			allowedOrigins: options.allowedOrigins ?? [],
			createdAt: now
		}));
	const key = options.key ?? generateKey('write');
	const prefix = key.slice(0, 10);
	const id = await store.insertKey({
		kind: 'write',
		name: options.name,
		sourceId,
		keyHash: hashKey(key),
		prefix,
		createdAt: now,
		createdBy: options.createdBy ?? null
	});
	return { id, key, prefix, sourceId };
}

/** Creates a read key bound to a role (and teams for a manager); the key text is returned once. */
export async function createReadKey(
	db: Db | Storage,
	options: { name: string; role: Role; teams?: string[]; createdBy?: string }
): Promise<CreatedKey> {
	const key = generateKey('read');
	const prefix = key.slice(0, 10);
	const id = await authStore(db).insertKey({
		kind: 'read',
		name: options.name,
		role: options.role,
		teams: options.teams ?? [],
		keyHash: hashKey(key),
		prefix,
		createdAt: Date.now(),
		createdBy: options.createdBy ?? null
	});
	return { id, key, prefix };
}

/** Ensures an active write key with exactly this text exists (RESONANCE_WRITE_KEY at start). */
export async function ensureWriteKey(
	db: Db | Storage,
	key: string,
	name = 'default'
): Promise<{ sourceId: number; created: boolean }> {
	const existing = await findActiveKey(db, key, 'write');
	if (existing?.sourceId) return { sourceId: existing.sourceId, created: false };
	const created = await createWriteKey(db, { name, key });
	return { sourceId: created.sourceId, created: true };
}

export async function revokeKey(db: Db | Storage, id: number): Promise<boolean> {
	const revoked = await authStore(db).revokeKey(id, Date.now());
	await forgetWriteKeysEverywhere(db);
	return revoked;
}

/**
 * How long a process trusts a write key it verified without asking the database again: ingestion checks a key on
 * every request, and on PostgreSQL that would be a round trip each. A revocation made by this process holds at
 * once (the cache is dropped), and in the other server processes as soon as they hear of it (live/relay.ts
 * `invalidate('auth.write-keys')`, LISTEN/NOTIFY); one made by the admin CLI (no listener) holds within this time.
 */
export const WRITE_KEY_CACHE_MS = 2_000;
const WRITE_KEY_CACHE_MAX = 10_000;
let writeKeyCache = new WeakMap<object, Map<string, { identity: WriteKeyIdentity; until: number }>>();
const WRITE_KEYS_TOPIC = 'auth.write-keys';
// Another process revoked a key or changed a source's origins (or listening was interrupted): trust none.
onInvalidate(WRITE_KEYS_TOPIC, () => {
	writeKeyCache = new WeakMap();
});

/** Drops the cached write keys here and in every other server process (after a revocation or origins change). */
async function forgetWriteKeysEverywhere(db: Db | Storage): Promise<void> {
	forgetWriteKeys(db);
	await invalidate(WRITE_KEYS_TOPIC).catch((error) =>
		console.error('[resonance] auth: telling the other processes of a key change failed', error)
	);
}

/** `verifyWriteKey` through the per-process cache (positive answers only, for WRITE_KEY_CACHE_MS). */
export async function verifyWriteKeyCached(
	db: Db | Storage,
	key: string,
	now = Date.now()
): Promise<WriteKeyIdentity | null> {
	if (!key) return null;
	const handle = asStorage(db).db;
	let cache = writeKeyCache.get(handle);
	if (!cache) writeKeyCache.set(handle, (cache = new Map()));
	const digest = hashKey(key);
	const hit = cache.get(digest);
	if (hit && hit.until > now) return hit.identity;
	cache.delete(digest);
	const identity = await verifyWriteKey(db, key);
	if (identity) {
		if (cache.size >= WRITE_KEY_CACHE_MAX) cache.clear();
		cache.set(digest, { identity, until: now + WRITE_KEY_CACHE_MS });
	}
	return identity;
}

/** Drops this process's cached write keys for this database (after a revocation or a change of origins). */
export function forgetWriteKeys(db: Db | Storage): void {
	writeKeyCache.delete(asStorage(db).db);
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

export type { KeyListing, SourceRow };

export async function listSources(db: Db | Storage): Promise<SourceRow[]> {
	return authStore(db).sources();
}

export async function getSource(db: Db | Storage, id: number): Promise<SourceRow | undefined> {
	return authStore(db).source(id);
}

export async function setSourceOrigins(
	db: Db | Storage,
	id: number,
	allowedOrigins: string[]
): Promise<void> {
	if (!(await getSource(db, id))) throw new KeyError('source_not_found', `No source ${id}`);
	await authStore(db).setSourceOrigins(id, allowedOrigins);
	await forgetWriteKeysEverywhere(db);
}

/** Every key (never its text: only the prefix), newest first. */
export async function listKeys(db: Db | Storage): Promise<KeyListing[]> {
	return authStore(db).keys();
}

export async function getKey(db: Db | Storage, id: number): Promise<KeyListing | undefined> {
	return (await listKeys(db)).find((k) => k.id === id);
}

/** Validates and creates a write key (new source, or another key for an existing one). */
export async function addWriteKey(
	db: Db | Storage,
	input: { name: string; sourceId?: number; allowedOrigins?: string[]; createdBy?: string }
): Promise<CreatedKey & { sourceId: number }> {
	const name = input.name.trim();
	if (!name) throw new KeyError('name_required', 'A key needs a name');
	if (input.sourceId !== undefined && !(await getSource(db, input.sourceId)))
		throw new KeyError('source_not_found', `No source ${input.sourceId}`);
	return createWriteKey(db, { ...input, name });
}

/** Validates and creates a read key; a manager's key must name its teams. */
export async function addReadKey(
	db: Db | Storage,
	input: { name: string; role: Role | undefined; teams?: string[]; createdBy?: string }
): Promise<CreatedKey> {
	const name = input.name.trim();
	if (!name) throw new KeyError('name_required', 'A key needs a name');
	if (!input.role) throw new KeyError('role_required', 'A read key needs a role');
	const teams = input.role === 'manager' ? [...new Set(input.teams ?? [])] : [];
	if (input.role === 'manager' && teams.length === 0)
		throw new KeyError('teams_required', 'A read key with the manager role needs at least one team');
	return createReadKey(db, { name, role: input.role, teams, createdBy: input.createdBy });
}
