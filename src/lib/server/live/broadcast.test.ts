import { afterEach, describe, expect, it } from 'vitest';
import { testPostgres, type TestPostgres } from '$lib/server/testing/postgres';
import { until } from '$lib/server/testing/wait';
import { memoryBroadcast, MessageTooLargeError, postgresBroadcast, type Broadcast } from './broadcast';
import { createRelay, type Relay } from './relay';

describe('the in-process broadcast (SQLite)', () => {
	it('delivers to every subscriber of the channel, not to others, and stops after unsubscribe', async () => {
		const b = memoryBroadcast();
		const got: string[] = [];
		const stop = await b.subscribe('resonance_live', (m) => got.push(`a:${m}`));
		await b.subscribe('resonance_live', (m) => got.push(`b:${m}`));
		await b.subscribe('resonance_other', (m) => got.push(`other:${m}`));
		await b.publish('resonance_live', 'one');
		await until(() => got.length === 2);
		await stop();
		await b.publish('resonance_live', 'two');
		await until(() => got.length === 3);
		expect(got).toEqual(['a:one', 'b:one', 'b:two']);
		await expect(b.publish('resonance_live', 'x'.repeat(8000))).rejects.toThrow(MessageTooLargeError);
		await expect(b.publish('Bad Channel', 'x')).rejects.toThrow(/channel/);
	});

	it('runs a process relay: its own invalidations at once, its own announcements not back to itself', async () => {
		const relay = createRelay();
		await relay.attach(memoryBroadcast());
		const dropped: (string | null)[] = [];
		relay.onInvalidate('settings', (d) => dropped.push(d));
		const heard: string[] = [];
		relay.onAnnounce('commit', (d) => heard.push(d));
		await relay.invalidate('settings', 'kpi');
		expect(dropped).toEqual(['kpi']);
		await relay.announce('commit');
		await new Promise((r) => setTimeout(r, 50));
		expect(heard).toEqual([]);
		expect(dropped).toEqual(['kpi']);
		await relay.detach();
	});
});

describe('LISTEN/NOTIFY between two processes on one PostgreSQL database', () => {
	let pg: TestPostgres | undefined;
	const opened: Broadcast[] = [];
	const relays: Relay[] = [];

	afterEach(async () => {
		for (const r of relays.splice(0)) await r.detach();
		for (const b of opened.splice(0)) await b.close();
		await pg?.close();
		pg = undefined;
	});

	/** Two pools on the same database, as two server processes would have. */
	async function twoProcesses(options: { probeMs?: number; probeTimeoutMs?: number } = {}) {
		pg = await testPostgres();
		const other = await pg.another({ pool: 2, applicationName: 'resonance-other' });
		const a = postgresBroadcast(pg.db, options);
		const b = postgresBroadcast(other, options);
		opened.push(a, b);
		return { a, b, dbA: pg.db, dbB: other };
	}

	it('a message published on one process reaches the subscribers of both', async () => {
		const { a, b } = await twoProcesses();
		const onA: string[] = [];
		const onB: string[] = [];
		await a.subscribe('resonance_live', (m) => onA.push(m));
		await b.subscribe('resonance_live', (m) => onB.push(m));
		await b.subscribe('resonance_other', (m) => onB.push(`other:${m}`));
		await a.publish('resonance_live', 'commit');
		await a.publish('resonance_live', 'alert {"id":7}');
		await until(() => onB.length === 2 && onA.length === 2);
		expect(onB).toEqual(['commit', 'alert {"id":7}']);
		expect(onA).toEqual(['commit', 'alert {"id":7}']);
		await expect(a.publish('resonance_live', 'é'.repeat(4000))).rejects.toThrow(MessageTooLargeError);
	});

	it('relays commits (coalesced), alerts and cache invalidations to the other process only', async () => {
		const { a, b } = await twoProcesses();
		const ra = createRelay({ coalesceMs: 300 });
		const rb = createRelay();
		relays.push(ra, rb);
		await ra.attach(a);
		await rb.attach(b);
		const commitsOnB: number[] = [];
		const commitsOnA: number[] = [];
		rb.onAnnounce('commit', () => commitsOnB.push(Date.now()));
		ra.onAnnounce('commit', () => commitsOnA.push(Date.now()));
		const alertsOnB: string[] = [];
		rb.onAnnounce('alert', (d) => alertsOnB.push(d));
		const droppedOnA: (string | null)[] = [];
		const droppedOnB: (string | null)[] = [];
		ra.onInvalidate('embed.integrations', (d) => droppedOnA.push(d));
		rb.onInvalidate('embed.integrations', (d) => droppedOnB.push(d));
		rb.onInvalidate('settings', (d) => droppedOnB.push(`settings:${d}`));

		// Ten commits in a burst: one announcement at once, one at the end of the interval.
		for (let i = 0; i < 10; i++) ra.commitHappened();
		await until(() => commitsOnB.length === 2);
		await new Promise((r) => setTimeout(r, 400));
		expect(commitsOnB).toHaveLength(2);
		expect(commitsOnA).toEqual([]);

		await ra.announce('alert', '{"type":"opened","alert":{"id":3}}');
		await until(() => alertsOnB.length === 1);
		expect(JSON.parse(alertsOnB[0])).toEqual({ type: 'opened', alert: { id: 3 } });

		await ra.invalidate('embed.integrations', 'token:abc');
		// This process's handlers ran before the promise settled; the other's once the NOTIFY arrived.
		expect(droppedOnA).toEqual(['token:abc']);
		await until(() => droppedOnB.length === 1);
		await ra.invalidate('settings');
		await until(() => droppedOnB.length === 2);
		expect(droppedOnB).toEqual(['token:abc', 'settings:null']);
		expect(droppedOnA).toEqual(['token:abc']);
	});

	it('listens again after its connection is terminated, and resyncs its subscribers', async () => {
		const { a, b, dbA } = await twoProcesses({ probeMs: 200, probeTimeoutMs: 500 });
		const rb = createRelay();
		relays.push(rb);
		await rb.attach(b);
		const onB: string[] = [];
		let resyncs = 0;
		let cachesDropped = 0;
		rb.onAnnounce(
			'commit',
			() => onB.push('commit'),
			() => resyncs++
		);
		rb.onInvalidate('settings', (d) => {
			if (d === null) cachesDropped++;
		});
		const ra = createRelay();
		relays.push(ra);
		await ra.attach(a);
		await ra.announce('commit');
		await until(() => onB.length === 1);

		// The DBA (or a failover) kills B's listening connection.
		const killed = await dbA.$client`
			SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
			WHERE application_name = 'resonance-other' AND query ILIKE 'listen%'`;
		expect(killed.length).toBeGreaterThanOrEqual(1);
		await until(() => resyncs >= 1 && cachesDropped >= 1, 10_000);

		await ra.announce('commit');
		await until(() => onB.length === 2, 10_000);
		expect(onB).toEqual(['commit', 'commit']);
	});
});
