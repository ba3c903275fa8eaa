import { afterEach, describe, expect, it } from 'vitest';
import { useStorage } from '$lib/server/db';
import { byEngine, type Storage } from '$lib/server/db/storage';
import type { AuthUser } from '$lib/server/auth/types';
import { callGet } from '$lib/server/auth/testing';
import { testEngines } from '$lib/server/testing/postgres';
import { riskStores } from '$lib/server/risk/store';
import { constantModel, heldOutQuality } from '$lib/server/risk/model';
import { GET } from './+server';
import { GET as getModel } from '../model/+server';
import { POST as train } from '../model/train/+server';

const user = (role: AuthUser['role'], teams: string[] = []): AuthUser => ({
	id: 'u',
	email: 'u@example.com',
	name: 'U',
	role,
	teams,
	via: 'session'
});

/** Six scored customers in three teams (scores 0.9 … 0.4) under a stored model. */
async function seed(storage: Storage): Promise<void> {
	const model = constantModel(['contacts'], 2, 10);
	const quality = heldOutQuality([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]);
	await byEngine(storage, riskStores).saveModel(
		{
			trainedAt: Date.UTC(2026, 2, 1),
			trainFrom: Date.UTC(2026, 0, 1),
			trainTo: Date.UTC(2026, 1, 1),
			testFrom: Date.UTC(2026, 1, 1),
			testTo: Date.UTC(2026, 2, 1),
			model: { complaint: model, regulator: model, trainAnchors: [], testAnchors: [] },
			quality: { complaint: quality, regulator: quality, trainRows: 10, trainPositives: 2 }
		},
		['a', 'b', 'c', 'a', 'b', null].map((team, i) => ({
			customerId: `cust-${i}`,
			score: 0.9 - i * 0.1,
			regulatorScore: 0.01,
			teamId: team ? `team-${team}` : null,
			segment: 'mass',
			reasons: [{ feature: 'contacts', contribution: 0.5 }]
		})),
		Date.UTC(2026, 2, 1)
	);
}

describe.each(testEngines)('GET /api/v1/risk/customers on $engine', ({ open }) => {
	let close: () => Promise<void> = async () => {};
	afterEach(() => close());

	async function fresh(): Promise<Storage> {
		const opened = await open();
		close = opened.close;
		return useStorage(opened.storage);
	}

	const ids = (body: unknown) =>
		(body as { customers: { customerId: string }[] }).customers.map((c) => c.customerId);

	it('a manager sees only their teams’ customers; another team is refused', async () => {
		await seed(await fresh());
		const url = 'http://localhost/api/v1/risk/customers';
		const all = await callGet(GET, url, user('executive'));
		expect(all.status).toBe(200);
		expect(ids(all.body)).toEqual(['cust-0', 'cust-1', 'cust-2', 'cust-3', 'cust-4', 'cust-5']);
		expect(all.body).toMatchObject({ next: null, model: { auc: 1, n: 4, positives: 2 } });
		const manager = user('manager', ['team-a', 'team-c']);
		expect(ids((await callGet(GET, url, manager)).body)).toEqual(['cust-0', 'cust-2', 'cust-3']);
		expect(ids((await callGet(GET, `${url}?team=team-c`, manager)).body)).toEqual(['cust-2']);
		expect((await callGet(GET, `${url}?team=team-b`, manager)).status).toBe(403);
		expect(ids((await callGet(GET, url, user('manager', []))).body)).toEqual([]);
		expect((await callGet(GET, url, null)).status).toBe(401);
	});

	it('filters by minimum score and pages by cursor', async () => {
		await seed(await fresh());
		const url = 'http://localhost/api/v1/risk/customers';
		const first = await callGet(GET, `${url}?minScore=0.55&limit=2`, user('admin'));
		expect(ids(first.body)).toEqual(['cust-0', 'cust-1']);
		const next = (first.body as { next: string }).next;
		expect(next).toBeTruthy();
		const second = await callGet(GET, `${url}?minScore=0.55&limit=2&cursor=${next}`, user('admin'));
		expect(ids(second.body)).toEqual(['cust-2', 'cust-3']);
		expect((second.body as { next: string | null }).next).toBeNull();
		expect((await callGet(GET, `${url}?minScore=2`, user('admin'))).status).toBe(400);
		expect((await callGet(GET, `${url}?cursor=nonsense`, user('admin'))).status).toBe(400);
	});

	it('the model answers 404 before the first training, then its held-out quality; training is for admins', async () => {
		const storage = await fresh();
		const url = 'http://localhost/api/v1/risk/model';
		expect((await callGet(getModel, url, user('researcher'))).status).toBe(404);
		await seed(storage);
		const model = await callGet(getModel, url, user('researcher'));
		expect(model.status).toBe(200);
		expect(model.body).toMatchObject({
			trainedAt: '2026-03-01T00:00:00.000Z',
			testWindow: { from: '2026-02-01T00:00:00.000Z', to: '2026-03-01T00:00:00.000Z' },
			n: 4,
			positives: 2,
			auc: 1,
			brier: 0.025,
			scoredCustomers: 6
		});
		const asManager = await Promise.resolve()
			.then(() => train({ locals: { user: user('manager', ['team-a']), session: null } } as never))
			.catch((e: { status: number }) => e);
		expect((asManager as { status: number }).status).toBe(403);
		// Nothing to learn from here: the admin is told why.
		const asAdmin = await train({ locals: { user: user('admin'), session: null } } as never);
		expect(asAdmin.status).toBe(409);
	});
});
