import { describe, expect, it } from 'vitest';
import { openDatabase, useDatabase } from '$lib/server/db';
import type { AuthUser } from '$lib/server/auth/types';
import { DEFAULT_INDEX_WEIGHTS, getIndexWeights } from '$lib/server/metrics';
import { GET, POST } from './+server';

const db = useDatabase(openDatabase(':memory:'));
const user = (role: AuthUser['role']): AuthUser => ({
	id: 'u',
	email: `${role}@example.com`,
	name: role,
	role,
	teams: [],
	via: 'session'
});

async function call<T>(run: () => Promise<Response> | Response): Promise<{ status: number; body: T }> {
	try {
		const response = await run();
		return { status: response.status, body: (await response.json()) as T };
	} catch (thrown) {
		const e = thrown as { status: number; body: T };
		return { status: e.status, body: e.body };
	}
}

const post = (who: AuthUser, body: unknown) =>
	call(() =>
		POST({
			locals: { user: who, session: null },
			request: new Request('http://localhost/api/v1/metrics/drivers', {
				method: 'POST',
				body: JSON.stringify(body)
			})
		} as unknown as Parameters<typeof POST>[0])
	);

describe('/api/v1/metrics/drivers', () => {
	it('GET answers an (empty) analysis with the current weights', async () => {
		const r = await call<{ n: number; current: unknown }>(() =>
			GET({
				url: new URL('http://localhost/api/v1/metrics/drivers?from=2025-03-01&to=2025-03-02'),
				locals: { user: user('researcher'), session: null }
			} as unknown as Parameters<typeof GET>[0])
		);
		expect(r.status).toBe(200);
		expect(r.body).toMatchObject({ n: 0, current: DEFAULT_INDEX_WEIGHTS });
	});

	it('POST accepts weights from an admin only, validated', async () => {
		const weights = {
			...DEFAULT_INDEX_WEIGHTS,
			components: { ...DEFAULT_INDEX_WEIGHTS.components, fcr: 0.5 }
		};
		expect((await post(user('manager'), { weights })).status).toBe(403);
		expect((await post(user('admin'), { weights: { layers: {} } })).status).toBe(400);
		const bad = { ...weights, components: { ...weights.components, csat: 0, ces: 0, nps: 0 } };
		expect((await post(user('admin'), { weights: bad })).status).toBe(400);
		expect((await post(user('admin'), { weights })).status).toBe(200);
		expect((await getIndexWeights(db)).components.fcr).toBe(0.5);
	});
});
