import { describe, expect, it } from 'vitest';
import { openDatabase, useDatabase } from '$lib/server/db';
import type { AuthUser } from '$lib/server/auth/types';
import { liveHub } from '$lib/server/live/hub';
import { GET } from './+server';

useDatabase(openDatabase(':memory:'));

const user = (role: AuthUser['role'], teams: string[] = []): AuthUser => ({
	id: 'u',
	email: 'u@example.com',
	name: 'U',
	role,
	teams,
	via: 'session'
});

async function get(
	query: string,
	who: AuthUser | null
): Promise<Response | { status: number; body: unknown }> {
	try {
		return await GET({
			url: new URL(`http://localhost/api/v1/stream?${query}`),
			locals: { user: who, session: null }
		} as unknown as Parameters<typeof GET>[0]);
	} catch (thrown) {
		return thrown as { status: number; body: unknown };
	}
}

describe('GET /api/v1/stream', () => {
	it('streams the first snapshot at once, and forgets the viewer when the stream is cancelled', async () => {
		const response = (await get('range=7d&channel=phone&tv=1', user('manager', ['t1']))) as Response;
		expect(response.headers.get('content-type')).toContain('text/event-stream');
		expect(liveHub().keys()).toEqual(['t1|range=7d&channel=phone']);
		const reader = (response.body as ReadableStream<Uint8Array>).getReader();
		let text = '';
		while (!text.includes('event: kpis')) text += new TextDecoder().decode((await reader.read()).value);
		expect(text).toContain('"range":"7d"');
		await reader.cancel();
		expect(liveHub().viewers()).toBe(0);
	});

	it('refuses bad parameters (naming them), other teams, and anonymous callers', async () => {
		const bad = (await get('range=year', user('executive'))) as Response;
		expect(bad.status).toBe(400);
		expect(await bad.json()).toMatchObject({ error: { details: { parameter: 'range' } } });
		expect((await get('team=t2', user('manager', ['t1']))).status).toBe(403);
		expect((await get('', null)).status).toBe(401);
	});
});
