import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Integration secrets at rest. HS256 needs the secret itself to check a signature, so a hash (as for write keys)
 * cannot be used. With RESONANCE_EMBED_KEY set (any long random text), a secret is sealed with AES-256-GCM under
 * SHA-256 of that key: a copy of the database alone then reveals no secret. Without it the secret is stored as is
 * (`plain:`), which is only as safe as the database file; the README says to set the key in production. A sealed
 * secret needs the same key to be opened (the CLI and the server must share it).
 */
const SEALED = 'v1:';
const PLAIN = 'plain:';

function keyOf(serverKey: string): Buffer {
	return createHash('sha256').update(serverKey).digest();
}

export function sealSecret(secret: string, serverKey = process.env.RESONANCE_EMBED_KEY): string {
	if (!serverKey) return PLAIN + secret;
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', keyOf(serverKey), iv);
	const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
	return SEALED + [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

/** The secret, or null when it cannot be opened (sealed under another key, or no key given). */
export function openSecret(stored: string, serverKey = process.env.RESONANCE_EMBED_KEY): string | null {
	if (stored.startsWith(PLAIN)) return stored.slice(PLAIN.length);
	if (!stored.startsWith(SEALED) || !serverKey) return null;
	const [iv, tag, body] = stored
		.slice(SEALED.length)
		.split('.')
		.map((p) => Buffer.from(p, 'base64url'));
	try {
		const decipher = createDecipheriv('aes-256-gcm', keyOf(serverKey), iv);
		decipher.setAuthTag(tag);
		return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
	} catch {
		return null;
	}
}

/** 256 random bits, base64url: the HS256 key a host signs with. */
export function generateSecret(): string {
	return randomBytes(32).toString('base64url');
}
