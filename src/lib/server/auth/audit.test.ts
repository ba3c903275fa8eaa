import { describe, expect, it } from 'vitest';
import { freshStorage, testEngines } from '$lib/server/testing/postgres';
import { audit, listAudit } from './audit';

describe.each(testEngines)('audit log on $engine', ({ open }) => {
	const fresh = freshStorage(open);

	it('records entries and lists them newest first with filters and paging', async () => {
		const db = await fresh();
		const t0 = Date.UTC(2026, 0, 10);
		await audit(db, {
			action: 'auth.sign_in',
			actor: { id: 'u1', email: 'lee@bank.example' },
			target: 'lee@bank.example',
			ts: t0
		});
		await audit(db, {
			action: 'auth.sign_in_failed',
			target: 'x@bank.example',
			ip: '10.0.0.1',
			ts: t0 + 1000
		});
		await audit(db, {
			action: 'key.created',
			actor: { id: 'u2', email: 'admin@bank.example' },
			target: 'key:1',
			details: { kind: 'write', who: '张三' },
			ts: t0 + 2000
		});
		const all = await listAudit(db);
		expect(all.total).toBe(3);
		expect(all.rows.map((r) => r.action)).toEqual(['key.created', 'auth.sign_in_failed', 'auth.sign_in']);
		expect(all.rows[0].details).toEqual({ kind: 'write', who: '张三' });
		expect((await listAudit(db, { action: 'auth.sign_in' })).rows).toHaveLength(1);
		// The actor search ignores case on both engines.
		expect((await listAudit(db, { actor: 'ADMIN@' })).rows.map((r) => r.target)).toEqual(['key:1']);
		expect((await listAudit(db, { actor: '%' })).total).toBe(3);
		expect((await listAudit(db, { from: t0 + 500, to: t0 + 1500 })).rows.map((r) => r.action)).toEqual([
			'auth.sign_in_failed'
		]);
		const page2 = await listAudit(db, { pageSize: 2, page: 2 });
		expect(page2).toMatchObject({ total: 3 });
		expect(page2.rows.map((r) => r.action)).toEqual(['auth.sign_in']);
	});
});
