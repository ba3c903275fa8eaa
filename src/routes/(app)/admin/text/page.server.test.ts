import { describe, expect, it } from 'vitest';
import { openDatabase, useDatabase } from '$lib/server/db';
import { listAudit } from '$lib/server/auth/audit';
import type { AuthUser } from '$lib/server/auth/types';
import { defaultTagRules, getTagRules } from '$lib/server/text';
import { signedInUser, runAction, type ActionOutcome } from '$lib/server/testing/form-actions';
import { actions, load } from './+page.server';

const db = useDatabase(openDatabase(':memory:'));

const who = signedInUser;
const act = (name: 'update' | 'add' | 'reset', user: AuthUser, fields?: Record<string, string>) =>
	runAction(actions, '/admin/text', name, user, fields);

const errors = (o: ActionOutcome) => o.data.errors as Record<string, string>;

describe('admin text (tag rules) page', () => {
	const first = defaultTagRules()[0];

	it('refuses non-admins with 403', async () => {
		await expect(load({ locals: { user: who('researcher'), session: null } } as never)).rejects.toMatchObject(
			{
				status: 403
			}
		);
		expect((await act('update', who('manager'), { id: first.id, any: 'x', enabled: 'on' })).status).toBe(403);
		expect((await act('add', who('executive'), {})).status).toBe(403);
		expect((await act('reset', who('researcher'))).status).toBe(403);
	});

	it("edits a rule's words and enabled flag, adds a rule, resets, and audits each", async () => {
		const updated = await act('update', who('admin'), {
			id: first.id,
			any: '网点, 柜台\n排队',
			with: '',
			not: ''
		});
		expect(updated).toMatchObject({ status: 200, data: { action: 'update', done: true } });
		const stored = (await getTagRules(db)).find((r) => r.id === first.id);
		expect(stored).toMatchObject({ any: ['网点', '柜台', '排队'], with: [], not: [], enabled: false });
		expect(stored?.label).toBe(first.label);

		const added = await act('add', who('admin'), {
			id: 'competitor.test',
			tag: 'competitor',
			label: '测试银行',
			labelEn: 'Test Bank',
			any: '测试银行',
			enabled: 'on'
		});
		expect(added.status).toBe(200);
		expect((await getTagRules(db)).at(-1)).toMatchObject({
			id: 'competitor.test',
			tag: 'competitor',
			enabled: true
		});

		expect((await act('reset', who('admin'))).status).toBe(200);
		expect(await getTagRules(db)).toEqual(defaultTagRules());
		expect((await listAudit(db, { action: 'settings.changed' })).total).toBe(3);
	});

	it('answers 400 naming the field for bad input', async () => {
		const noWords = await act('update', who('admin'), { id: first.id, any: ' , ', enabled: 'on' });
		expect(noWords.status).toBe(400);
		expect(errors(noWords).any).toMatch(/^any:/);
		const badId = await act('add', who('admin'), {
			id: '!!',
			tag: 'risk',
			label: 'x',
			labelEn: 'x',
			any: 'y'
		});
		expect(badId.status).toBe(400);
		expect(errors(badId).id).toMatch(/^id:/);
		const badTag = await act('add', who('admin'), {
			id: 'x.y',
			tag: 'nope',
			label: 'x',
			labelEn: 'x',
			any: 'y'
		});
		expect(errors(badTag).tag).toMatch(/^tag:/);
		const duplicate = await act('add', who('admin'), {
			...first,
			any: 'y',
			with: '',
			not: '',
			enabled: 'on'
		});
		expect(errors(duplicate).id).toMatch(/^id: already used/);
		expect(await getTagRules(db)).toEqual(defaultTagRules());
	});
});
