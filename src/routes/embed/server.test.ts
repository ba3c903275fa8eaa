import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, useDatabase } from '$lib/server/db';
import { addIntegration, revokeIntegration } from '$lib/server/embed/integrations';
import { embedStream } from '$lib/server/embed/stream';
import { signEmbedToken, type EmbedClaims } from '$lib/server/embed/token';
import type { EmbedContext } from '$lib/server/embed/guard';
import { liveHub } from '$lib/server/live/hub';
import { writeWithRollups } from '$lib/server/metrics/testing';
import { GET as exportCsv } from './export/+server';
import { GET as stream } from './stream/+server';

/**
 * Scope on the embed's export and stream paths, against a real SQLite: the token's locked team reaches the query
 * whatever the URL says, a URL that tries to change it is 403, and a bad token is 401 before any data is read.
 */
const db = useDatabase(openDatabase(':memory:'));
const integration = await addIntegration(
	db,
	{ name: 'Portal', origins: 'https://portal.example' },
	Date.now() - 60_000
);
afterAll(() => liveHub().stop());

const now = Date.now();
const contact = (id: string, teamId: string): CxEvent => ({
	id,
	type: 'contact',
	ts: now - 60_000,
	customerId: `c-${id}`,
	channel: 'phone',
	handledBy: 'agent',
	teamId,
	agentId: `${teamId}-a1`,
	waitS: 10,
	handleS: 100,
	outcome: 'resolved',
	reason: 'bill_inquiry',
	properties: {}
});
// Three contacts of t-cc1, seven of t-cc2.
writeWithRollups(db, [
	...[1, 2, 3].map((i) => contact(`a${i}`, 't-cc1')),
	...[1, 2, 3, 4, 5, 6, 7].map((i) => contact(`b${i}`, 't-cc2'))
]);

const token = (claims: Partial<EmbedClaims> = {}, lifetime = 600) =>
	signEmbedToken(
		integration,
		{ res: { type: 'kpis' }, filters: { team: ['t-cc1'] }, params: ['range'], ...claims },
		lifetime
	);

/** A GET handler of an embed route, as a test calls it. */
type Handler = (event: never) => Response | Promise<Response>;

async function call(handler: Handler, path: string) {
	const url = new URL(`http://localhost${path}`);
	try {
		return await handler({
			url,
			request: new Request(url),
			locals: { user: null, session: null }
		} as never);
	} catch (thrown) {
		const e = thrown as { status: number; body: { code: string } };
		return new Response(JSON.stringify(e.body), { status: e.status });
	}
}

function contactsOf(csv: string): number {
	const row = csv.split('\n').find((l) => l.startsWith('contacts,') || l.startsWith('aht_s,'));
	return Number(row?.split(',')[2]);
}

describe('GET /embed/export', () => {
	it('answers the locked team only, whatever the URL says', async () => {
		const t = await token();
		const answer = await call(exportCsv, `/embed/export?token=${t}&range=7d`);
		expect(answer.status).toBe(200);
		const csv = await answer.text();
		expect(csv).toContain('team=t-cc1');
		expect(contactsOf(csv)).toBe(3);
		// Without a lock the same view counts all ten (the test data is real).
		const open = await token({ filters: {} });
		expect(contactsOf(await (await call(exportCsv, `/embed/export?token=${open}`)).text())).toBe(10);
	});

	it('refuses a URL changing the locked team (403), a parameter not allowed (403), a bad token (401)', async () => {
		const t = await token();
		expect((await call(exportCsv, `/embed/export?token=${t}&team=t-cc2`)).status).toBe(403);
		expect((await call(exportCsv, `/embed/export?token=${t}&team=t-cc1&team=t-cc2`)).status).toBe(403);
		expect((await call(exportCsv, `/embed/export?token=${t}&channel=chat`)).status).toBe(403);
		expect((await call(exportCsv, `/embed/export?token=${t}x`)).status).toBe(401);
		expect((await call(exportCsv, `/embed/export`)).status).toBe(401);
		const customer = await token({ res: { type: 'customer', key: 'c-a1' }, filters: {} });
		expect((await call(exportCsv, `/embed/export?token=${customer}`)).status).toBe(403);
	});
});

describe('GET /embed/stream', () => {
	it('subscribes with the locked team as scope and filter, and streams its snapshot', async () => {
		const t = await token();
		const response = await call(stream, `/embed/stream?token=${t}`);
		expect(response.headers.get('content-type')).toContain('text/event-stream');
		expect(liveHub().keys()).toContain('t-cc1|range=today&team=t-cc1');
		const reader = (response.body as ReadableStream<Uint8Array>).getReader();
		let text = '';
		while (!text.includes('event: kpis')) text += new TextDecoder().decode((await reader.read()).value);
		await reader.cancel();
		expect(liveHub().keys()).not.toContain('t-cc1|range=today&team=t-cc1');
	});

	it('streams for every live view: a trend (res.key names its KPI) and a funnel (res.key names its journey)', async () => {
		for (const res of [
			{ type: 'trend', key: 'csat' },
			{ type: 'funnel', key: 'onboarding' }
		] as const) {
			const response = await call(stream, `/embed/stream?token=${await token({ res })}`);
			expect(response.status, res.type).toBe(200);
			expect(response.headers.get('content-type')).toContain('text/event-stream');
			await (response.body as ReadableStream<Uint8Array>).cancel();
		}
		// A trend's export is its KPI table too.
		const trend = await token({ res: { type: 'trend', key: 'csat' } });
		expect(contactsOf(await (await call(exportCsv, `/embed/export?token=${trend}`)).text())).toBe(3);
	});

	it('refuses a URL changing the locked team (403) and a bad token (401)', async () => {
		const t = await token();
		expect((await call(stream, `/embed/stream?token=${t}&team=t-cc2`)).status).toBe(403);
		expect((await call(stream, `/embed/stream?token=${t.slice(0, -2)}`)).status).toBe(401);
	});

	it('ends the stream when the integration is revoked, and at expiry', async () => {
		const other = await addIntegration(
			db,
			{ name: 'TV', origins: 'https://tv.example' },
			Date.now() - 60_000
		);
		const signed = await signEmbedToken(other, { res: { type: 'wallboard' } }, 600, Date.now() - 1000);
		const ctx = (claims: Partial<EmbedClaims>): EmbedContext => ({
			claims: {
				iss: other.id,
				iat: Math.floor((Date.now() - 1000) / 1000),
				exp: Math.floor(Date.now() / 1000) + 600,
				res: { type: 'wallboard' },
				filters: {},
				params: [],
				theme: 'light',
				locale: 'en',
				...claims
			},
			integration: other,
			params: new URLSearchParams('range=today'),
			scope: { teams: null },
			token: signed
		});
		const quiet = () => () => {};
		const read = async (response: Response) => {
			const reader = (response.body as ReadableStream<Uint8Array>).getReader();
			let text = '';
			for (;;) {
				const { value, done } = await reader.read();
				if (done) return text;
				text += new TextDecoder().decode(value);
			}
		};
		const live = embedStream(db, ctx({}), { recheckMs: 20, subscribe: quiet });
		setTimeout(() => void revokeIntegration(db, other.id), 50);
		expect(await read(live)).toContain('event: end\ndata: {"reason":"revoked"}');
		const expired = embedStream(db, ctx({ exp: Math.floor(Date.now() / 1000) - 1 }), { subscribe: quiet });
		expect(await read(expired)).toContain('{"reason":"expired"}');
	});
});
