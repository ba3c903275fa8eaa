import { beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '$lib/server/db';
import { apiKeys } from '$lib/server/db/schema';
import {
	KeyError,
	addReadKey,
	addWriteKey,
	bearerToken,
	generateKey,
	hashKey,
	listKeys,
	parseOrigins,
	readKeyUser,
	revokeKey,
	sameDigest,
	verifyReadKey,
	verifyWriteKey
} from './keys';

let db: Db;
beforeEach(() => {
	db = openDatabase(':memory:');
});

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

describe('write keys', () => {
	it('are stored hashed, verified, touched and revocable', () => {
		const created = addWriteKey(db, { name: 'Mobile app', allowedOrigins: ['https://m.bank.example'] });
		const row = db.select().from(apiKeys).get();
		expect(row?.keyHash).toBe(hashKey(created.key));
		expect(JSON.stringify(row)).not.toContain(created.key);
		expect(row?.prefix).toBe(created.key.slice(0, 10));

		const identity = verifyWriteKey(db, created.key);
		expect(identity).toMatchObject({
			sourceId: created.sourceId,
			allowedOrigins: ['https://m.bank.example']
		});
		expect(listKeys(db)[0].lastUsedAt).not.toBeNull();

		expect(verifyWriteKey(db, `${created.key}x`)).toBeNull();
		expect(verifyReadKey(db, created.key)).toBeNull();
		expect(revokeKey(db, created.id)).toBe(true);
		expect(revokeKey(db, created.id)).toBe(false);
		expect(verifyWriteKey(db, created.key)).toBeNull();
	});

	it('can be added to an existing source, and refuse an unknown one', () => {
		const first = addWriteKey(db, { name: 'Web' });
		const second = addWriteKey(db, { name: 'Web (rotated)', sourceId: first.sourceId });
		expect(second.sourceId).toBe(first.sourceId);
		expect(() => addWriteKey(db, { name: 'x', sourceId: 999 })).toThrow(KeyError);
		expect(() => addWriteKey(db, { name: '  ' })).toThrow(KeyError);
	});

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

describe('read keys', () => {
	it('act with their role, and a manager key only with its teams', () => {
		const exec = addReadKey(db, { name: 'BI', role: 'executive' });
		const identity = verifyReadKey(db, exec.key);
		expect(identity && readKeyUser(identity)).toMatchObject({
			role: 'executive',
			teams: [],
			via: 'read-key'
		});

		const manager = addReadKey(db, { name: 'Team 1 board', role: 'manager', teams: ['t-cc1'] });
		const managerIdentity = verifyReadKey(db, manager.key);
		expect(managerIdentity && readKeyUser(managerIdentity)).toMatchObject({
			role: 'manager',
			teams: ['t-cc1']
		});
		expect(verifyWriteKey(db, manager.key)).toBeNull();
	});

	it('need a role, and teams for a manager', () => {
		expect(() => addReadKey(db, { name: 'x', role: undefined })).toThrow(KeyError);
		expect(() => addReadKey(db, { name: 'x', role: 'manager', teams: [] })).toThrow(/team/);
	});
});
