import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with the OWASP minimum (19 MiB, 2 passes, 1 lane): about 30–60 ms here, slow enough for an attacker,
 * quick enough for a sign-in. The parameters travel inside the PHC string, so raising them later still verifies
 * old hashes.
 */
const ARGON2_OPTIONS = { memoryCost: 19456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
	return hash(password, ARGON2_OPTIONS);
}

/** True when the password matches the stored hash; false (never a throw) for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

/** A fixed hash to verify against when the account does not exist, so both paths take the same time. */
let dummyHash: Promise<string> | undefined;
export async function spendPasswordTime(password: string): Promise<void> {
	dummyHash ??= hashPassword('resonance-timing-equaliser');
	await verifyPassword(await dummyHash, password);
}

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string): 'too_short' | 'too_long' | null {
	if (password.length < PASSWORD_MIN_LENGTH) return 'too_short';
	if (password.length > PASSWORD_MAX_LENGTH) return 'too_long';
	return null;
}

/** A random password for first-run admins and resets: 16 characters from an unambiguous alphabet (~93 bits). */
export function generatePassword(length = 16): string {
	const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
	const bytes = crypto.getRandomValues(new Uint8Array(length * 2));
	let out = '';
	// Rejection sampling keeps every character equally likely (256 is not a multiple of the alphabet size).
	const limit = 256 - (256 % alphabet.length);
	for (const byte of bytes) {
		if (byte >= limit) continue;
		out += alphabet[byte % alphabet.length];
		if (out.length === length) return out;
	}
	return out + generatePassword(length - out.length);
}
