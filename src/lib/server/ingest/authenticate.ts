import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { verifyWriteKeyCached, type WriteKeyIdentity } from '$lib/server/auth/keys';
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
 * The source behind a write key; 401 for a missing, unknown or revoked key. A valid key is remembered by this
 * process for a couple of seconds (auth/keys.ts WRITE_KEY_CACHE_MS), so a busy source does not cost a database round
 * trip per request; a revocation by another process holds within that time.
 */
export async function authenticate(
	db: Db | Storage,
	key: string | null | undefined,
	now = Date.now()
): Promise<WriteKeyIdentity> {
	if (!key) throw new IngestError(401, 'unauthorized', 'a write key is required', null, wwwAuthenticate);
	const identity = await verifyWriteKeyCached(db, key, now);
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
