import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { routeIngestion } from './serve';
import { basic, ingestFixture, post, storedEvents } from './testing';

/** The bodies posthog-js 1.449 and RudderStack analytics-js 3.34 really send (read from their sources). */

const ORIGIN = 'https://h5.bank.example';
let fx: ReturnType<typeof ingestFixture>;
beforeEach(() => {
	fx = ingestFixture({}, [ORIGIN]);
});
afterEach(() => fx.ctx.close());

async function send(request: Request) {
	const response = await routeIngestion(request, fx.ctx);
	const text = await response.text();
	let body: unknown = text;
	try {
		body = text ? JSON.parse(text) : null;
	} catch {
		// a script
	}
	return { status: response.status, headers: response.headers, body: body as Record<string, unknown> };
}

let n = 0;
/** posthog-js's capture body: `{api_key, batch, sent_at}` with the token in each event's properties. */
const captureBody = (key: string, event = 'card_activated') => ({
	api_key: key,
	batch: [
		{
			uuid: `ph-${++n}`,
			event,
			properties: { distinct_id: 'cust-1', token: key, $lib: 'web', channel: 'app', step: 2 },
			timestamp: new Date(Date.now() - 1000).toISOString()
		}
	],
	sent_at: new Date().toISOString()
});

const base64Form = (body: unknown) =>
	'data=' + encodeURIComponent(Buffer.from(JSON.stringify(body), 'utf8').toString('base64'));

describe('posthog-js capture bodies on /e/ and /i/v0/e/', () => {
	it('reads JSON (application/json, after a preflight)', async () => {
		const r = await send(
			post('/e/?ver=1.449.2&_=1765000000000', JSON.stringify(captureBody(fx.key)), { origin: ORIGIN })
		);
		expect(r).toMatchObject({ status: 200, body: { status: 1, accepted: 1 } });
		expect(r.headers.get('access-control-allow-origin')).toBe(ORIGIN);
		const [stored] = storedEvents(fx.db);
		expect(stored).toMatchObject({
			customerId: 'cust-1',
			type: 'journey',
			name: 'card_activated',
			channel: 'app'
		});
		expect(stored.properties).toEqual({ step: 2 });
	});

	it('reads gzip-js: gzip bytes as text/plain, with or without ?compression=gzip-js', async () => {
		for (const path of ['/e/?compression=gzip-js&ver=1.449.2', '/i/v0/e/?ver=1.449.2']) {
			const r = await send(
				post(path, gzipSync(JSON.stringify(captureBody(fx.key))), {
					'content-type': 'text/plain',
					origin: ORIGIN
				})
			);
			expect(r).toMatchObject({ status: 200, body: { accepted: 1 } });
		}
		expect(storedEvents(fx.db)).toHaveLength(2);
	});

	it('reads base64 form bodies (data=…), with non-ASCII text intact', async () => {
		const body = captureBody(fx.key, '开卡完成');
		const r = await send(
			post('/e/?compression=base64&ver=1.449.2', base64Form(body), {
				'content-type': 'application/x-www-form-urlencoded',
				origin: ORIGIN
			})
		);
		expect(r).toMatchObject({ status: 200, body: { accepted: 1 } });
		expect(storedEvents(fx.db)[0].name).toBe('开卡完成');
		// Older libraries: data=<JSON> without compression.
		const plain = await send(
			post('/e/', 'data=' + encodeURIComponent(JSON.stringify(captureBody(fx.key))), {
				'content-type': 'application/x-www-form-urlencoded'
			})
		);
		expect(plain.body).toMatchObject({ accepted: 1 });
	});

	it('reads sendBeacon bodies at unload: a text/plain Blob (gzip) or a form Blob (base64)', async () => {
		const blobPost = async (path: string, blob: Blob) =>
			send(
				new Request(`http://127.0.0.1${path}`, { method: 'POST', body: blob, headers: { origin: ORIGIN } })
			);
		const gzip = await blobPost(
			'/e/?ver=1.449.2',
			new Blob([gzipSync(JSON.stringify(captureBody(fx.key, '$pageleave')))], { type: 'text/plain' })
		);
		// $pageleave is PostHog's own event: ignored, not an error.
		expect(gzip).toMatchObject({ status: 200, body: { accepted: 0, ignored: [expect.anything()] } });
		const form = await blobPost(
			'/e/?compression=base64',
			new Blob([base64Form(captureBody(fx.key, 'left_form'))], { type: 'application/x-www-form-urlencoded' })
		);
		expect(form).toMatchObject({ status: 200, body: { accepted: 1 } });
		expect(storedEvents(fx.db).map((e) => e.name)).toEqual(['left_form']);
	});

	it('answers 400 naming the field for a form without data, bad base64 or bad gzip', async () => {
		const form = { 'content-type': 'application/x-www-form-urlencoded' };
		const none = await send(post('/e/?compression=base64', 'other=1', form));
		expect(none).toMatchObject({
			status: 400,
			body: { error: { message: expect.stringMatching(/^data: /) } }
		});
		const bad = await send(post('/e/?compression=base64', 'data=%%%', form));
		expect(bad.status).toBe(400);
		const notB64 = await send(post('/e/?compression=base64', 'data=a*b', form));
		expect(notB64).toMatchObject({ status: 400, body: { error: { message: 'data: not valid base64' } } });
		const gzip = await send(post('/e/?compression=gzip-js', 'not gzip', { 'content-type': 'text/plain' }));
		expect(gzip).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/gzip/) } } });
		expect(storedEvents(fx.db)).toHaveLength(0);
	});
});

describe('a refused origin', () => {
	it('refuses the preflight (403, no CORS headers) and shows it on the monitor', async () => {
		const ok = await send(
			post('/e/', '', { origin: ORIGIN, 'access-control-request-method': 'POST' }, 'OPTIONS')
		);
		expect(ok.status).toBe(204);
		expect(ok.headers.get('access-control-allow-origin')).toBe(ORIGIN);
		expect(ok.headers.get('access-control-allow-headers')).toMatch(/AnonymousId/);
		for (const path of ['/e/', '/v1/batch'])
			expect(
				await send(
					post(
						path,
						'',
						{ origin: 'https://phish.example', 'access-control-request-method': 'POST' },
						'OPTIONS'
					)
				)
			).toMatchObject({ status: 403, body: { error: { code: 'forbidden_origin' } } });
		const refused = fx.ctx.monitor.status().refusedOrigins;
		expect(refused).toEqual([
			{ origin: 'https://phish.example', count: 2, lastAt: expect.any(Number), lastPath: '/v1/batch' }
		]);
	});

	it('refuses the request itself (403) and stores nothing', async () => {
		const r = await send(
			post('/e/', gzipSync(JSON.stringify(captureBody(fx.key))), {
				'content-type': 'text/plain',
				origin: 'https://phish.example'
			})
		);
		expect(r).toMatchObject({ status: 403, body: { error: { code: 'forbidden_origin' } } });
		expect(r.headers.get('access-control-allow-origin')).toBeNull();
		const flags = await send(post('/flags/?v=2', '{}', { origin: 'https://phish.example' }));
		expect(flags.status).toBe(403);
		expect(storedEvents(fx.db)).toHaveLength(0);
	});
});

describe('posthog-js configuration answers', () => {
	it('answers /flags/ and /decide/ with no flags, no recording, no surveys', async () => {
		for (const path of ['/flags/?v=2&config=true', '/decide/?v=3']) {
			const r = await send(post(path, gzipSync('{}'), { 'content-type': 'text/plain', origin: ORIGIN }));
			expect(r.status).toBe(200);
			expect(r.headers.get('access-control-allow-origin')).toBe(ORIGIN);
			expect(r.body).toMatchObject({
				flags: {},
				featureFlags: {},
				errorsWhileComputingFlags: false,
				sessionRecording: false,
				surveys: false
			});
		}
	});

	it('answers the remote configuration as JSON and as a script', async () => {
		const get = (path: string) => new Request(`http://127.0.0.1${path}`, { headers: { origin: ORIGIN } });
		const json = await send(get(`/array/${fx.key}/config`));
		expect(json.body).toMatchObject({
			hasFeatureFlags: false,
			sessionRecording: false,
			supportedCompression: ['gzip', 'gzip-js']
		});
		expect(json.body).not.toHaveProperty('surveys');
		const script = await routeIngestion(get('/array/phc_x%3C/config.js'), fx.ctx);
		expect(script.headers.get('content-type')).toMatch(/javascript/);
		expect(script.headers.get('access-control-allow-origin')).toBe(ORIGIN);
		const text = await script.text();
		expect(text).toContain('window._POSTHOG_REMOTE_CONFIG["phc_x\\u003c"]=');
		expect(text).not.toContain('<');
	});
});

describe('RudderStack analytics-js', () => {
	const get = (path: string, headers: Record<string, string> = {}) =>
		new Request(`http://127.0.0.1${path}`, { headers: { origin: ORIGIN, ...headers } });

	it('answers /sourceConfig/ with a source without destinations, keyed by Basic auth or writeKey', async () => {
		const byHeader = await send(get('/sourceConfig/?p=npm&v=3.34.1&build=modern', basic(fx.key)));
		expect(byHeader.status).toBe(200);
		expect(byHeader.headers.get('access-control-allow-origin')).toBe(ORIGIN);
		expect(byHeader.body).toMatchObject({
			source: { id: String(fx.sourceId), enabled: true, config: {}, destinations: [] }
		});
		const byQuery = await send(get(`/sourceConfig/?p=npm&v=3.34.1&writeKey=${fx.key}`));
		expect(byQuery.status).toBe(200);
		expect((await send(get('/sourceConfig/?writeKey=nope'))).status).toBe(401);
		const elsewhere = await send(
			get(`/sourceConfig/?writeKey=${fx.key}`, { origin: 'https://phish.example' })
		);
		expect(elsewhere.status).toBe(403);
	});

	it("reads an identify's traits from context.traits, where analytics-js puts them", async () => {
		const identify = {
			type: 'identify',
			messageId: 'rs-id-1',
			anonymousId: 'anon-9',
			userId: 'cust-8',
			context: {
				traits: { segment: 'private', region: 'north' },
				library: { name: 'RudderLabs JavaScript SDK' }
			},
			originalTimestamp: new Date().toISOString()
		};
		const r = await send(
			post('/v1/identify', JSON.stringify(identify), { ...basic(fx.key), origin: ORIGIN })
		);
		expect(r).toMatchObject({ status: 200, body: { accepted: 1 } });
		const customer = fx.db.$client
			.prepare('SELECT segment, region FROM customers WHERE id = ?')
			.get('cust-8');
		expect(customer).toEqual({ segment: 'private', region: 'north' });
	});

	it('stores its XHR batch (Basic auth, AnonymousId and SentAt headers)', async () => {
		const sentAt = new Date().toISOString();
		const body = {
			batch: [
				{
					type: 'track',
					event: 'Survey Answered',
					messageId: 'rs-1',
					anonymousId: 'anon-9',
					userId: 'cust-7',
					properties: { metric: 'csat', score: 5, channel: 'app' },
					originalTimestamp: sentAt,
					sentAt
				}
			],
			sentAt
		};
		const r = await send(
			post('/v1/batch', JSON.stringify(body), {
				...basic(fx.key),
				'content-type': 'application/json;charset=UTF-8',
				origin: ORIGIN,
				anonymousid: Buffer.from('anon-9').toString('base64'),
				sentat: sentAt
			})
		);
		expect(r).toMatchObject({ status: 200, body: { success: true, accepted: 1 } });
		expect(storedEvents(fx.db)[0]).toMatchObject({
			type: 'feedback',
			customerId: 'cust-7',
			metric: 'csat',
			score: 5
		});
	});
});
