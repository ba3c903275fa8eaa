import { describe, expect, it } from 'vitest';
import { openDatabase, useDatabase } from '$lib/server/db';
import { listAudit } from '$lib/server/auth/audit';
import type { AuthUser } from '$lib/server/auth/types';
import { getValueSettings } from '$lib/server/value';
import { signedInUser, runAction } from '$lib/server/testing/form-actions';
import { actions, load } from './+page.server';

const db = useDatabase(openDatabase(':memory:'));
const act = (user: AuthUser, fields: Record<string, string>) =>
	runAction(actions, '/admin/value', 'default', user, fields);

const fields = (over: Record<string, string> = {}) => ({
	'agentMinute.phone': '3.2',
	'agentMinute.ivr': '3',
	'agentMinute.chat': '2',
	'agentMinute.bot': '2',
	'agentMinute.app': '2',
	'agentMinute.wechat': '2',
	'agentMinute.video': '4',
	'agentMinute.branch': '4.5',
	ivrSession: '0.3',
	botSession: '0.1',
	outboundCall: '5',
	valuePerConversion: '300',
	valuePerRetainedCustomer: '1200',
	effectiveFrom: '2026-01-01',
	...over
});

describe('admin value settings page', () => {
	it('refuses non-admins', async () => {
		await expect(
			Promise.resolve().then(() =>
				load({ locals: { user: signedInUser('executive'), session: null } } as never)
			)
		).rejects.toEqual(expect.objectContaining({ status: 403 }));
		expect((await act(signedInUser('executive'), fields())).status).toBe(403);
		expect((await getValueSettings(db)).history).toEqual([]);
	});

	it('stores a version from its effective day and audits it', async () => {
		const result = await act(signedInUser('admin'), fields());
		expect(result).toMatchObject({ status: 200, data: { done: true } });
		const got = await getValueSettings(db);
		expect(got.history.map((v) => v.effectiveFrom)).toEqual(['2026-01-01']);
		expect(got.history[0].rates.agentMinute.branch).toBe(4.5);
		const entry = (await listAudit(db, { action: 'settings.changed' })).rows[0];
		expect(entry).toMatchObject({ target: 'value_settings', actorEmail: 'admin@example.com' });
	});

	it('answers 400 naming the field', async () => {
		const bad = await act(signedInUser('admin'), fields({ 'agentMinute.video': '-2' }));
		expect(bad.status).toBe(400);
		expect((bad.data.errors as Record<string, string>)['agentMinute.video']).toMatch(/^agentMinute\.video:/);
		const missing = await act(signedInUser('admin'), fields({ outboundCall: '' }));
		expect(Object.keys(missing.data.errors as Record<string, string>)).toEqual(['outboundCall']);
	});
});
