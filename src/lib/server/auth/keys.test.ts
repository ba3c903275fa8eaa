import { beforeEach, describe, expect, it } from 'vitest';
import type { Storage } from '$lib/server/db/storage';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import { adminSummary } from './admin-summary';
import { audit } from './audit';
import { rawRows } from './testing';
import {
	KeyError,
	addReadKey,
	addWriteKey,
	bearerToken,
	ensureWriteKey,
	generateKey,
	getKey,
	getSource,
	hashKey,
	listKeys,
	listSources,
	parseOrigins,
	readKeyUser,
	revokeKey,
	sameDigest,
	setSourceOrigins,
	verifyReadKey,
	verifyWriteKey
} from './keys';
import { createUser, setUserDisabled } from './users';

describe('key text and hashing', () => {
	it('generates prefixed 160-bit keys', () => {
		expect(generateKey('write')).toMatch(/^rsn_w_[a-z2-7]{32}$/);
		expect(generateKey('read')).toMatch(/^rsn_r_[a-z2-7]{32}$/);
		expect(generateKey('read')).not.toBe(generateKey('read'));
	});

	it('hashes with SHA-256 (hex) and compares digests in constant time', () => {
		const key = generateKey('write');
		expect(hashKey(key)).toMatch(/^[0-9a-f]{64}$/);
		expect(hashKey(key)).toBe(hashKey(key));
		expect(sameDigest(hashKey(key), hashKey(key))).toBe(true);
		expect(sameDigest(hashKey(key), hashKey(`${key}x`))).toBe(false);
		expect(sameDigest(hashKey(key), 'abcd')).toBe(false);
	});

	it('reads a bearer token', () => {
		expect(bearerToken('Bearer rsn_r_abc')).toBe('rsn_r_abc');
		expect(bearerToken('bearer  rsn_r_abc ')).toBe('rsn_r_abc');
		expect(bearerToken('Basic abc')).toBeNull();
		expect(bearerToken(null)).toBeNull();
	});
});

describe('parseOrigins', () => {
	it('parse allowed origins strictly', () => {
		expect(parseOrigins('https://a.example\nhttp://localhost:5173, https://a.example/')).toEqual([
			'https://a.example',
			'http://localhost:5173'
		]);
		expect(() => parseOrigins('https://a.example/path')).toThrow(KeyError);
		expect(() => parseOrigins('ftp://a.example')).toThrow(KeyError);
		expect(() => parseOrigins('not a url')).toThrow(KeyError);
		expect(parseOrigins('')).toEqual([]);
	});
});

describe.each(testEngines)('keys on $engine', ({ open }) => {
	let db: Storage;
	const fresh = freshStorage(open);
	beforeEach(async () => {
		db = await fresh();
	});

	describe('write keys', async () => {
		it('are stored hashed, verified, touched and revocable', async () => {
			const created = await addWriteKey(db, {
				name: 'Mobile app',
				allowedOrigins: ['https://m.bank.example']
			});
			const row = (await rawRows(db, 'SELECT key_hash, prefix FROM api_keys'))[0];
			expect(row?.key_hash).toBe(hashKey(created.key));
			expect(JSON.stringify(row)).not.toContain(created.key);
			expect(row?.prefix).toBe(created.key.slice(0, 10));

			const identity = await verifyWriteKey(db, created.key);
			expect(identity).toMatchObject({
				sourceId: created.sourceId,
				allowedOrigins: ['https://m.bank.example']
			});
			expect((await listKeys(db))[0].lastUsedAt).not.toBeNull();

			expect(await verifyWriteKey(db, `${created.key}x`)).toBeNull();
			expect(await verifyReadKey(db, created.key)).toBeNull();
			expect(await revokeKey(db, created.id)).toBe(true);
			expect(await revokeKey(db, created.id)).toBe(false);
			expect(await verifyWriteKey(db, created.key)).toBeNull();
		});

		it('can be added to an existing source, and refuse an unknown one', async () => {
			const first = await addWriteKey(db, { name: 'Web' });
			const second = await addWriteKey(db, { name: 'Web (rotated)', sourceId: first.sourceId });
			expect(second.sourceId).toBe(first.sourceId);
			// Sources and keys list the same on both engines: sources by name, keys newest first with the source's name.
			const other = await addWriteKey(db, { name: 'App' });
			expect((await listSources(db)).map((s) => [s.id, s.name, s.allowedOrigins])).toEqual([
				[other.sourceId, 'App', []],
				[first.sourceId, 'Web', []]
			]);
			const keys = await listKeys(db);
			expect(keys.map((k) => [k.id, k.kind, k.name, k.sourceName, k.revokedAt])).toEqual([
				[other.id, 'write', 'App', 'App', null],
				[second.id, 'write', 'Web (rotated)', 'Web', null],
				[first.id, 'write', 'Web', 'Web', null]
			]);
			expect(await getKey(db, second.id)).toEqual(keys[1]);
			await setSourceOrigins(db, first.sourceId, ['https://web.bank.example']);
			expect((await getSource(db, first.sourceId))?.allowedOrigins).toEqual(['https://web.bank.example']);
			expect((await verifyWriteKey(db, second.key))?.allowedOrigins).toEqual(['https://web.bank.example']);
			await expect(setSourceOrigins(db, 999, [])).rejects.toThrow(KeyError);
			// RESONANCE_WRITE_KEY: registered once, found after.
			expect(await ensureWriteKey(db, 'rsn_w_from_env', 'env')).toMatchObject({ created: true });
			const again = await ensureWriteKey(db, 'rsn_w_from_env', 'env');
			expect(again.created).toBe(false);
			expect((await verifyWriteKey(db, 'rsn_w_from_env'))?.sourceId).toBe(again.sourceId);
			await expect(addWriteKey(db, { name: 'x', sourceId: 999 })).rejects.toThrow(KeyError);
			await expect(addWriteKey(db, { name: '  ' })).rejects.toThrow(KeyError);
		});
	});

	describe('read keys', async () => {
		it('act with their role, and a manager key only with its teams', async () => {
			const exec = await addReadKey(db, { name: 'BI', role: 'executive' });
			const identity = await verifyReadKey(db, exec.key);
			expect(identity && readKeyUser(identity)).toMatchObject({
				role: 'executive',
				teams: [],
				via: 'read-key'
			});

			const manager = await addReadKey(db, { name: 'Team 1 board', role: 'manager', teams: ['t-cc1'] });
			const managerIdentity = await verifyReadKey(db, manager.key);
			expect(managerIdentity && readKeyUser(managerIdentity)).toMatchObject({
				role: 'manager',
				teams: ['t-cc1']
			});
			expect(await verifyWriteKey(db, manager.key)).toBeNull();
		});

		it('need a role, and teams for a manager', async () => {
			await expect(addReadKey(db, { name: 'x', role: undefined })).rejects.toThrow(KeyError);
			await expect(addReadKey(db, { name: 'x', role: 'manager', teams: [] })).rejects.toThrow(/team/);
		});
	});

	describe('the admin summary', () => {
		it('counts users, disabled users, sources, active keys and failed sign-ins of the last 24 hours', async () => {
			const now = Date.UTC(2026, 5, 1);
			await createUser(db, { email: 'a@b.c', password: 'password', role: 'admin' });
			const u = await createUser(db, { email: 'u@b.c', password: 'password', role: 'executive' });
			await setUserDisabled(db, u.id, true);
			const key = await addWriteKey(db, { name: 'Web' });
			await addWriteKey(db, { name: 'App' });
			await addReadKey(db, { name: 'BI', role: 'executive' });
			await revokeKey(db, key.id);
			await audit(db, { action: 'auth.sign_in_failed', target: 'x@b.c', ts: now - 1000 });
			await audit(db, { action: 'auth.sign_in_failed', target: 'x@b.c', ts: now - 2 * 86_400_000 });
			await audit(db, { action: 'auth.sign_in', target: 'a@b.c', ts: now - 1000 });
			expect(await adminSummary(db, now)).toEqual({
				users: 2,
				disabledUsers: 1,
				sources: 2,
				activeKeys: 2,
				failedSignIns24h: 1
			});
		});
	});
});
