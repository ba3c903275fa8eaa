import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { PostHog } from 'posthog-node';
import { serveIngestion, type IngestServer } from './serve';
import { ingestFixture, storedEvents } from './testing';

// The real client libraries, unchanged, sending over real HTTP on 127.0.0.1 to the ingestion handlers on a real
// SQLite database: each event must arrive exactly once with the right fields.

let fx: ReturnType<typeof ingestFixture>;
let server: IngestServer;
const seenRequests: { path: string; encoding: string | undefined; type: string | undefined }[] = [];

beforeEach(async () => {
	fx = ingestFixture();
	server = await serveIngestion(fx.ctx);
	seenRequests.length = 0;
	server.server.prependListener('request', (req) =>
		seenRequests.push({
			path: req.url ?? '',
			encoding: req.headers['content-encoding'],
			type: req.headers['content-type']
		})
	);
});

afterEach(async () => {
	await server.close();
	await fx.ctx.close();
});

const recent = (offsetS: number) => new Date(Date.now() - offsetS * 1000);

describe('@segment/analytics-node', () => {
	it('delivers track, identify, page and named business events once each', async () => {
		const analytics = new SegmentAnalytics({
			writeKey: fx.key,
			host: server.url,
			flushAt: 10,
			maxRetries: 1
		});
		analytics.identify({
			userId: 'c-1',
			traits: { segment: 'affluent', tier: 'gold', region: '上海', age: 41 }
		});
		analytics.track({
			userId: 'c-1',
			event: 'card_app_started',
			properties: { channel: 'app', journey: 'card_acquisition', campaign: 'spring' },
			timestamp: recent(30)
		});
		analytics.track({
			userId: 'c-1',
			event: 'Survey Answered',
			properties: {
				metric: 'nps',
				score: 9,
				comment: '很好，电话13812345678',
				channel: 'phone',
				teamId: 'T1'
			}
		});
		analytics.track({
			anonymousId: 'anon-9',
			event: 'Contact Completed',
			properties: {
				channel: 'phone',
				handledBy: 'agent',
				outcome: 'resolved',
				waitS: 12,
				handleS: 240,
				queue: 'cards'
			}
		});
		analytics.track({
			userId: 'c-2',
			event: 'Complaint Filed',
			properties: { category: 'fees', severity: 'high', regulator: true, channel: 'branch' }
		});
		analytics.page({ userId: 'c-1', name: 'loan_calculator', properties: { channel: 'app' } });
		analytics.group({ userId: 'c-1', groupId: 'acme' });
		await analytics.closeAndFlush({ timeout: 10_000 });

		const rows = storedEvents(fx.db);
		expect(rows.map((r) => r.type).sort()).toEqual(
			['complaint', 'contact', 'feedback', 'identify', 'journey', 'journey'].sort()
		);
		expect(new Set(rows.map((r) => r.id)).size).toBe(6);
		expect(seenRequests.every((r) => r.path === '/v1/batch')).toBe(true);
		const journey = rows.find((r) => r.name === 'card_app_started')!;
		expect(journey).toMatchObject({ customerId: 'c-1', channel: 'app', journey: 'card_acquisition' });
		expect(journey.properties).toEqual({ campaign: 'spring' });
		expect(Math.abs(journey.ts - recent(30).getTime())).toBeLessThan(5000);
		const feedback = rows.find((r) => r.type === 'feedback')!;
		expect(feedback).toMatchObject({ metric: 'nps', score: 9, channel: 'phone', teamId: 'T1' });
		expect(feedback.text).toBe('很好，电话[手机号]');
		// The identify came first, so later events carry the customer's segment and region.
		expect(feedback).toMatchObject({ segment: 'affluent', region: '上海' });
		expect(rows.find((r) => r.type === 'contact')).toMatchObject({
			customerId: 'anon-9',
			handledBy: 'agent',
			outcome: 'resolved',
			waitS: 12,
			handleS: 240,
			queue: 'cards'
		});
		expect(rows.find((r) => r.type === 'complaint')).toMatchObject({ severity: 'high', regulator: true });
		expect(rows.find((r) => r.name === 'loan_calculator')).toMatchObject({ type: 'journey', channel: 'app' });
		const customer = fx.db.$client.prepare('SELECT * FROM customers WHERE id = ?').get('c-1') as Record<
			string,
			unknown
		>;
		expect(customer).toMatchObject({ segment: 'affluent', tier: 'gold', region: '上海' });
		expect(JSON.parse(customer.traits as string)).toEqual({ age: 41 });
	});
});

describe('@rudderstack/rudder-sdk-node (gzip on)', () => {
	it('delivers gzipped batches once each', async () => {
		const client = new RudderAnalytics(fx.key, {
			dataPlaneUrl: server.url,
			flushAt: 50,
			gzip: true,
			logLevel: 'error'
		});
		for (let i = 0; i < 120; i++)
			client.track({
				userId: `r-${i % 7}`,
				event: i % 10 === 0 ? 'Survey Answered' : 'loss_reported',
				properties:
					i % 10 === 0 ? { metric: 'csat', score: 1 + (i % 5), channel: 'ivr' } : { channel: 'ivr', step: i },
				timestamp: recent(60)
			});
		client.identify({ userId: 'r-1', traits: { segment: 'private', region: '北京' } });
		// Each flush sends at most flushAt messages, and automatic flushes may be in flight: flush until all arrived.
		const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
		for (let i = 0; i < 100 && storedEvents(fx.db).length < 121; i++) {
			await client.flush();
			await sleep(20);
		}
		await sleep(100);
		const rows = storedEvents(fx.db);
		expect(rows).toHaveLength(121);
		expect(new Set(rows.map((r) => r.id)).size).toBe(121);
		expect(rows.filter((r) => r.type === 'feedback')).toHaveLength(12);
		expect(rows.find((r) => r.type === 'journey')).toMatchObject({ name: 'loss_reported', channel: 'ivr' });
		expect(seenRequests.length).toBeGreaterThan(1);
		expect(seenRequests.every((r) => r.encoding === 'gzip' && r.path === '/v1/batch')).toBe(true);
	});
});

describe('posthog-node', () => {
	it('delivers capture and $identify events once each (gzipped)', async () => {
		const posthog = new PostHog(fx.key, {
			host: server.url,
			flushAt: 20,
			flushInterval: 0,
			fetchRetryCount: 0
		});
		posthog.identify({ distinctId: 'p-1', properties: { segment: 'mass', region: '广州' } });
		for (let i = 0; i < 30; i++)
			posthog.capture({
				distinctId: `p-${i % 3}`,
				event: i === 0 ? 'Survey Answered' : 'open_started',
				properties: i === 0 ? { metric: 'ces', score: 6, channel: 'app' } : { channel: 'app', attempt: i }
			});
		posthog.capture({ distinctId: 'p-1', event: '$pageview', properties: { $current_url: '/x' } });
		await posthog.shutdown(10_000);

		const rows = storedEvents(fx.db);
		expect(rows).toHaveLength(31);
		expect(new Set(rows.map((r) => r.id)).size).toBe(31);
		expect(rows.find((r) => r.type === 'identify')).toMatchObject({ customerId: 'p-1' });
		expect(rows.find((r) => r.type === 'feedback')).toMatchObject({
			metric: 'ces',
			score: 6,
			channel: 'app'
		});
		const step = rows.find((r) => r.name === 'open_started')!;
		expect(step.properties.attempt).toBeTypeOf('number');
		expect(Object.keys(step.properties).some((k) => k.startsWith('$'))).toBe(false);
		expect(seenRequests.every((r) => r.path === '/batch/')).toBe(true);
		expect(seenRequests.some((r) => r.encoding === 'gzip')).toBe(true);
		const customer = fx.db.$client.prepare('SELECT segment, region FROM customers WHERE id = ?').get('p-1');
		expect(customer).toEqual({ segment: 'mass', region: '广州' });
	});
});
