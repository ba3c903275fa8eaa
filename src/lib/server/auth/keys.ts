import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { and, eq, isNull } from 'drizzle-orm';
import { timingSafeEqual } from 'node:crypto';
import type { Db } from '$lib/server/db';
import { apiKeys, sources, type Role } from '$lib/server/db/schema';

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
export function ensureWriteKey(db: Db, key: string, name = 'default'): { sourceId: number; created: boolean } {
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
