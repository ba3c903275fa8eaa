import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postgresStorage, type Storage } from '$lib/server/db/storage';
import { testEngines, testPostgres } from '$lib/server/testing/postgres';
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
import { streamEnd } from './stream';
import { signEmbedToken, verifyEmbedToken } from './token';
import { recentViews, recordView, viewsByDay } from './usage';

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

describe.each(testEngines)('integrations and usage on $engine', ({ open }) => {
	let s: Storage;
	let close: () => Promise<void>;
	beforeEach(async () => {
		({ storage: s, close } = await open());
	});
	afterEach(async () => {
		await close();
	});

	it('adds with a secret shown once, lists without it, revokes and removes', async () => {
		const created = await addIntegration(
			s,
			{ name: 'Portal', origins: 'https://portal.example,https://b.example' },
			1000
		);
		const second = await addIntegration(s, { name: 'TV', origins: ['https://tv.example'] }, 2000);
		expect(created.id).toMatch(/^emb_/);
		expect(created.secret.length).toBeGreaterThanOrEqual(43);
		expect(await listIntegrations(s)).toEqual([
			{
				id: created.id,
				name: 'Portal',
				origins: ['https://portal.example', 'https://b.example'],
				revokedBefore: 0,
				createdAt: 1000,
				createdBy: null
			},
			expect.objectContaining({ id: second.id, origins: ['https://tv.example'], createdAt: 2000 })
		]);
		expect(JSON.stringify(await listIntegrations(s))).not.toContain(created.secret);
		expect((await integrationWithSecret(s, created.id))?.secret).toBe(created.secret);
		expect(await integrationWithSecret(s, 'emb_unknown')).toBeNull();
		expect((await revokeIntegration(s, created.id, 5000)).revokedBefore).toBe(5000);
		expect((await getIntegration(s, created.id))?.revokedBefore).toBe(5000);
		expect((await removeIntegration(s, created.id)).name).toBe('Portal');
		expect(await getIntegration(s, created.id)).toBeNull();
		await expect(revokeIntegration(s, created.id)).rejects.toThrow(EmbedError);
		await expect(removeIntegration(s, created.id)).rejects.toThrow(EmbedError);
		expect((await listIntegrations(s)).map((i) => i.id)).toEqual([second.id]);
	});

	it('refuses a missing name and origins that are not origins', async () => {
		await expect(addIntegration(s, { name: ' ', origins: 'https://a.example' })).rejects.toThrow(EmbedError);
		await expect(addIntegration(s, { name: 'x', origins: '' })).rejects.toThrow(/at least one origin/);
		await expect(addIntegration(s, { name: 'x', origins: 'https://a.example/path' })).rejects.toThrow(
			EmbedError
		);
		expect(await listIntegrations(s)).toEqual([]);
	});

	it('records views and counts them by China-time day, newest first', async () => {
		// 2026-12-06 15:59:59 UTC is 23:59:59 in China; one second later is the next China day.
		const lateDec6 = Date.UTC(2026, 11, 6, 15, 59, 59);
		await recordView(s, { integrationId: 'emb_a', type: 'kpis', ts: lateDec6, sub: 'x'.repeat(300) });
		await recordView(s, {
			integrationId: 'emb_a',
			type: 'kpis',
			ts: lateDec6 + 1000,
			origin: 'https://p.example'
		});
		await recordView(s, { integrationId: 'emb_a', type: 'trend', ts: lateDec6 + 2000 });
		await recordView(s, { integrationId: 'emb_b', type: 'funnel', key: 'onboarding', ts: lateDec6 - 1000 });
		await recordView(s, { integrationId: 'emb_b', type: 'funnel', ts: lateDec6 - 86_400_000 * 3 });
		expect(await viewsByDay(s, lateDec6 - 86_400_000)).toEqual([
			{ integrationId: 'emb_a', day: '2026-12-07', views: 2 },
			{ integrationId: 'emb_a', day: '2026-12-06', views: 1 },
			{ integrationId: 'emb_b', day: '2026-12-06', views: 1 }
		]);
		const recent = await recentViews(s, 2);
		expect(recent.map((v) => [v.integrationId, v.type, v.ts])).toEqual([
			['emb_a', 'trend', lateDec6 + 2000],
			['emb_a', 'kpis', lateDec6 + 1000]
		]);
		expect(recent[1].origin).toBe('https://p.example');
		const all = await recentViews(s, 50, lateDec6 - 1000);
		expect(all).toHaveLength(4);
		expect(all.at(-1)).toMatchObject({ integrationId: 'emb_b', key: 'onboarding', sub: null, origin: null });
		expect(all.find((v) => v.ts === lateDec6)?.sub).toHaveLength(256);
	});
});

describe('revocation across processes (PostgreSQL)', () => {
	it('a token revoked through one pool is refused, and its stream ended, through another', async () => {
		const pg = await testPostgres();
		const other = await pg.another();
		try {
			const a = postgresStorage(pg.db);
			const b = postgresStorage(other);
			const now = Date.now();
			const created = await addIntegration(
				a,
				{ name: 'Portal', origins: 'https://portal.example' },
				now - 60_000
			);
			const token = await signEmbedToken(created, { res: { type: 'kpis' } }, 600, now - 1000);
			const before = await verifyEmbedToken(b, token, now);
			expect(before.ok).toBe(true);
			if (!before.ok) return;
			const ctx = { claims: before.claims, integration: before.integration };
			expect(await streamEnd(b, ctx, now)).toBeNull();
			await revokeIntegration(a, created.id, now);
			expect(await verifyEmbedToken(b, token, now)).toMatchObject({ ok: false, reason: 'revoked' });
			expect(await streamEnd(b, ctx, now)).toBe('revoked');
			await removeIntegration(b, created.id);
			expect(await verifyEmbedToken(a, token, now)).toMatchObject({
				ok: false,
				reason: 'unknown_integration'
			});
		} finally {
			await pg.close();
		}
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
