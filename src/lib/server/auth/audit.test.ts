import { describe, expect, it } from 'vitest';
import { openDatabase } from '$lib/server/db';
import { audit, listAudit } from './audit';

describe('audit log', () => {
	it('records entries and lists them newest first with filters and paging', () => {
		const db = openDatabase(':memory:');
		const t0 = Date.UTC(2026, 0, 10);
		audit(db, {
			action: 'auth.sign_in',
			actor: { id: 'u1', email: 'lee@bank.example' },
			target: 'lee@bank.example',
			ts: t0
		});
		audit(db, { action: 'auth.sign_in_failed', target: 'x@bank.example', ip: '10.0.0.1', ts: t0 + 1000 });
		audit(db, {
			action: 'key.created',
			actor: { id: 'u2', email: 'admin@bank.example' },
			target: 'key:1',
			details: { kind: 'write' },
			ts: t0 + 2000
		});
		const all = listAudit(db);
		expect(all.total).toBe(3);
		expect(all.rows.map((r) => r.action)).toEqual(['key.created', 'auth.sign_in_failed', 'auth.sign_in']);
		expect(all.rows[0].details).toEqual({ kind: 'write' });
		expect(listAudit(db, { action: 'auth.sign_in' }).rows).toHaveLength(1);
		expect(listAudit(db, { actor: 'ADMIN@' }).rows.map((r) => r.target)).toEqual(['key:1']);
		expect(listAudit(db, { actor: '%' }).total).toBe(3);
		expect(listAudit(db, { from: t0 + 500, to: t0 + 1500 }).rows.map((r) => r.action)).toEqual([
			'auth.sign_in_failed'
		]);
		const page2 = listAudit(db, { pageSize: 2, page: 2 });
		expect(page2).toMatchObject({ total: 3 });
		expect(page2.rows.map((r) => r.action)).toEqual(['auth.sign_in']);
	});
});
