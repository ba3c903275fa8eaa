import type { Db } from '$lib/server/db';
import { asStorage, byEngine, type Storage } from '$lib/server/db/storage';
import { verifyWriteKey, type WriteKeyIdentity } from '$lib/server/auth/keys';
import { IngestError } from './errors';

/**
 * The write key from the Authorization header: `Bearer <key>`, or Basic auth with the key as the user name (the
 * Segment convention; the password is ignored). Null when the header carries none.
 */
export function keyFromHeaders(headers: Headers): string | null {
	const header = headers.get('authorization')?.trim();
	if (!header) return null;
	const space = header.indexOf(' ');
	const scheme = header.slice(0, space).toLowerCase();
	const value = header.slice(space + 1).trim();
	if (space < 0 || !value) return null;
	if (scheme === 'bearer') return value;
	if (scheme === 'basic') {
		const decoded = Buffer.from(value, 'base64').toString('utf8');
		const colon = decoded.indexOf(':');
		return (colon < 0 ? decoded : decoded.slice(0, colon)) || null;
	}
	return null;
}

/**
 * Write keys per engine. auth/keys.ts is ported to PostgreSQL separately (issue 17); at merge this becomes
 * `await verifyWriteKey(target, key)` in `authenticate` and this map goes.
 */
const writeKeys = {
	sqlite: (db: Db) => async (key: string) => verifyWriteKey(db, key),
	postgres: () => async (): Promise<WriteKeyIdentity | null> => {
		throw new Error('write keys on PostgreSQL: auth/keys.ts is not ported yet');
	}
};

/** The source behind a write key; 401 for a missing, unknown or revoked key. */
export async function authenticate(
	target: Db | Storage,
	key: string | null | undefined
): Promise<WriteKeyIdentity> {
	if (!key) throw new IngestError(401, 'unauthorized', 'a write key is required', null, wwwAuthenticate);
	const identity = await byEngine(asStorage(target), writeKeys)(key);
	if (!identity)
		throw new IngestError(401, 'unauthorized', 'unknown or revoked write key', null, wwwAuthenticate);
	return identity;
}

const wwwAuthenticate = { 'www-authenticate': 'Basic realm="resonance ingestion", Bearer' };

/**
 * A browser source may post only from its allowed origins; server-side clients send no Origin. `*` allows any.
 */
export function checkOrigin(origin: string | null, identity: WriteKeyIdentity): void {
	if (!origin) return;
	if (identity.allowedOrigins.includes('*') || identity.allowedOrigins.includes(origin)) return;
	throw new IngestError(403, 'forbidden_origin', `origin ${origin} is not allowed for this source`);
}
