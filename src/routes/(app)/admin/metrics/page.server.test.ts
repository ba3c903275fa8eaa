import { describe, expect, it } from 'vitest';
import { openDatabase, useDatabase } from '$lib/server/db';
import { listAudit } from '$lib/server/auth/audit';
import type { AuthUser } from '$lib/server/auth/types';
import { getIndexWeights, getKpiSettings } from '$lib/server/metrics';
import { signedInUser, runAction } from '$lib/server/testing/form-actions';
import { actions, load } from './+page.server';

const db = useDatabase(openDatabase(':memory:'));

const who = signedInUser;
const act = (name: 'kpi' | 'weights', user: AuthUser, fields: Record<string, string>) =>
	runAction(actions, '/admin/metrics', name, user, fields);

const weights = (overrides: Record<string, string> = {}) => ({
	'layer.perception': '0.6',
	'layer.operations': '0.4',
	'component.csat': '0.5',
	'component.ces': '0.25',
	'component.nps': '0.25',
	'component.service_level': '0.2',
	'component.fcr': '0.2',
	'component.repeat_contact_rate': '0.2',
	'component.transfer_rate': '0.2',
	'component.complaint_rate': '0.2',
	...overrides
});

describe('admin metrics settings page', () => {
	it('refuses non-admins with 403 in the load and both actions', async () => {
		await expect(
			Promise.resolve().then(() => load({ locals: { user: who('manager'), session: null } } as never))
		).rejects.toEqual(expect.objectContaining({ status: 403 }));
		expect((await act('kpi', who('manager'), { key: 'csat', target: '90' })).status).toBe(403);
		expect((await act('weights', who('executive'), weights())).status).toBe(403);
		expect((await getKpiSettings(db)).csat.target).not.toBe(90);
	});

	it('stores a KPI target and thresholds, and audits the change', async () => {
		const result = await act('kpi', who('admin'), { key: 'csat', target: '91', amber: '85', red: '75' });
		expect(result).toMatchObject({ status: 200, data: { action: 'kpi', key: 'csat', done: true } });
		expect((await getKpiSettings(db)).csat).toEqual({ target: 91, amber: 85, red: 75 });
		const entry = (await listAudit(db, { action: 'settings.changed' })).rows[0];
		expect(entry).toMatchObject({ target: 'kpi:csat', actorEmail: 'admin@example.com' });
	});

	it('answers 400 naming the field for a bad number or thresholds in the wrong order', async () => {
		const notNumber = await act('kpi', who('admin'), { key: 'csat', target: 'abc', amber: '', red: '' });
		expect(notNumber.status).toBe(400);
		expect((notNumber.data.errors as Record<string, string>).target).toMatch(/^target:/);
		const order = await act('kpi', who('admin'), { key: 'csat', target: '', amber: '70', red: '80' });
		expect(order.status).toBe(400);
		expect((order.data.errors as Record<string, string>).red).toMatch(/^red: must be at most amber/);
		expect((await getKpiSettings(db)).csat).toEqual({ target: 91, amber: 85, red: 75 });
		expect((await act('kpi', who('admin'), { key: 'nope', target: '1' })).status).toBe(400);
	});

	it('stores index weights, and refuses a bad weight with its field named', async () => {
		expect((await act('weights', who('admin'), weights())).status).toBe(200);
		expect((await getIndexWeights(db)).layers).toEqual({ perception: 0.6, operations: 0.4 });
		expect((await getIndexWeights(db)).components.csat).toBe(0.5);
		const bad = await act('weights', who('admin'), weights({ 'component.fcr': 'x' }));
		expect(bad.status).toBe(400);
		expect((bad.data.errors as Record<string, string>)['component.fcr']).toMatch(/^component\.fcr:/);
		const empty = await act(
			'weights',
			who('admin'),
			weights({ 'layer.perception': '0', 'layer.operations': '0' })
		);
		expect(empty.status).toBe(400);
		expect((await getIndexWeights(db)).layers).toEqual({ perception: 0.6, operations: 0.4 });
	});
});
