import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, passwordProblem, verifyPassword } from './password';

describe('passwords', () => {
	it('hashes with argon2id and verifies only the right password', async () => {
		const hash = await hashPassword('correct horse battery');
		expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
		expect(hash).not.toContain('correct horse');
		expect(await verifyPassword(hash, 'correct horse battery')).toBe(true);
		expect(await verifyPassword(hash, 'correct horse batterY')).toBe(false);
	});

	it('salts: the same password hashes differently each time', async () => {
		expect(await hashPassword('same password')).not.toBe(await hashPassword('same password'));
	});

	it('treats a malformed hash as a mismatch, not a crash', async () => {
		expect(await verifyPassword('not-a-hash', 'anything')).toBe(false);
	});

	it('refuses short and overlong passwords', () => {
		expect(passwordProblem('short')).toBe('too_short');
		expect(passwordProblem('x'.repeat(257))).toBe('too_long');
		expect(passwordProblem('long enough')).toBeNull();
	});

	it('generates random passwords from an unambiguous alphabet', () => {
		const a = generatePassword();
		expect(a).toMatch(/^[a-hjkmnp-zA-HJ-NP-Z2-9]{16}$/);
		expect(generatePassword()).not.toBe(a);
		expect(generatePassword(24)).toHaveLength(24);
	});
});
