import { rmSync } from 'node:fs';
import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { runAdmin } from '$lib/server/cli';
import {
	EmbedError,
	addIntegration,
	getIntegration,
	integrationWithSecret,
	listIntegrations,
	removeIntegration,
	revokeIntegration
} from './integrations';
import { openSecret, sealSecret } from './secret';

let db: Db;
beforeEach(() => {
	db = openDatabase(':memory:');
});

describe('integration secrets at rest', () => {
	it('seals with AES-GCM under the server key and opens only with that key', () => {
		const sealed = sealSecret('s3cret', 'server-key');
		expect(sealed).toMatch(/^v1:/);
		expect(sealed).not.toContain('s3cret');
		expect(openSecret(sealed, 'server-key')).toBe('s3cret');
		expect(openSecret(sealed, 'other-key')).toBeNull();
		expect(openSecret(sealed, undefined)).toBeNull();
	});

	it('stores the secret as is without a server key (documented trade-off)', () => {
		expect(sealSecret('s3cret', undefined)).toBe('plain:s3cret');
		expect(openSecret('plain:s3cret', 'any')).toBe('s3cret');
	});
});

describe('integrations', () => {
	it('adds with a secret shown once, lists without it, revokes and removes', () => {
		const created = addIntegration(
			db,
			{ name: 'Portal', origins: 'https://portal.example,https://b.example' },
			1000
		);
		expect(created.id).toMatch(/^emb_/);
		expect(created.secret.length).toBeGreaterThanOrEqual(43);
		expect(listIntegrations(db)).toEqual([
			expect.objectContaining({ id: created.id, origins: ['https://portal.example', 'https://b.example'] })
		]);
		expect(JSON.stringify(listIntegrations(db))).not.toContain(created.secret);
		expect(integrationWithSecret(db, created.id)?.secret).toBe(created.secret);
		expect(revokeIntegration(db, created.id, 5000).revokedBefore).toBe(5000);
		removeIntegration(db, created.id);
		expect(getIntegration(db, created.id)).toBeNull();
		expect(() => revokeIntegration(db, created.id)).toThrow(EmbedError);
	});

	it('refuses a missing name and origins that are not origins', () => {
		expect(() => addIntegration(db, { name: ' ', origins: 'https://a.example' })).toThrow(EmbedError);
		expect(() => addIntegration(db, { name: 'x', origins: '' })).toThrow(/at least one origin/);
		expect(() => addIntegration(db, { name: 'x', origins: 'https://a.example/path' })).toThrow(EmbedError);
	});
});

describe('npm run admin -- embed …', () => {
	it('adds (--json), lists, revokes and removes, with exit codes', async () => {
		const file = `/tmp/embed-cli-${process.pid}-${Date.now()}.db`;
		const lines: string[] = [];
		const io = {
			env: { DATABASE_URL: file },
			out: (l: string) => lines.push(l),
			err: (l: string) => lines.push(l)
		};
		expect(
			await runAdmin(['embed', 'add', '--name', 'TV', '--origins', 'https://tv.example', '--json'], io)
		).toBe(0);
		const { id, secret } = JSON.parse(lines.pop() ?? '{}');
		expect(id).toMatch(/^emb_/);
		expect(secret).toBeTruthy();
		expect(await runAdmin(['embed', 'list'], io)).toBe(0);
		expect(lines.at(-1)).toContain(id);
		expect(lines.join('\n')).not.toContain(secret);
		expect(await runAdmin(['embed', 'revoke', '--id', id], io)).toBe(0);
		expect(await runAdmin(['embed', 'remove', '--id', id], io)).toBe(0);
		expect(await runAdmin(['embed', 'remove', '--id', id], io)).toBe(1);
		expect(await runAdmin(['embed', 'add', '--name', 'x'], io)).toBe(2);
		expect(await runAdmin(['embed', 'frobnicate'], io)).toBe(2);
		for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
	});
});
