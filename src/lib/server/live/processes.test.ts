import { afterEach, describe, expect, it } from 'vitest';
import { createWriteKey, revokeKey, verifyWriteKeyCached } from '$lib/server/auth/keys';
import { runExclusive } from '$lib/server/db/jobs';
import { postgresStorage } from '$lib/server/db/storage';
import { listTeamsWithAgents } from '$lib/server/directory/teams';
import { postgresWriter } from '$lib/server/ingest/postgres-writer';
import { loadJourneyCatalog, mapEventName, saveJourney } from '$lib/server/journeys/registry';
import { restitchInBackground, restitchStatus } from '$lib/server/journeys/stitch';
import { pruneExpired, retentionStatus } from '$lib/server/retention';
import { FIXTURE_JOURNEY } from '$lib/server/journeys/testing';
import { deriveOnPostgres } from '$lib/server/metrics/derive-postgres';
import { until } from '$lib/server/testing/wait';
import { relay } from './relay';
import { twoProcessesOnPostgres, type TwoProcesses } from './testing';

/**
 * Two server processes on one PostgreSQL: two pools (two Storage handles). What one changes, the other sees at
 * once: journey definitions and mappings, directory names, write keys (their per-process cache is dropped through
 * the relay), and a journey re-stitch started on one shows on the other and runs one at a time.
 */

let opened: TwoProcesses | undefined;

afterEach(async () => {
	await opened?.close();
	opened = undefined;
});

/**
 * Process A is this test's process relay (as startLive attaches it) over pool A; process B is pool B with a relay
 * of its own where it listens.
 */
async function twoProcesses(): Promise<TwoProcesses> {
	opened = await twoProcessesOnPostgres({ relayA: relay() });
	return opened;
}

describe('two processes on one PostgreSQL', () => {
	it('a journey defined or mapped through one is in the other’s catalog at once', async () => {
		const { a, b } = await twoProcesses();
		// B compiles its catalog first (a cache would now hold it).
		expect((await loadJourneyCatalog(b)).byKey.has('fixture')).toBe(false);
		await saveJourney(a, FIXTURE_JOURNEY, 'test');
		const catalog = await loadJourneyCatalog(b);
		expect(catalog.byKey.get('fixture')?.names).toEqual(expect.arrayContaining(['a', 'b', 'c_ok', 'd']));
		expect(catalog.byName.has('app_open')).toBe(false);
		await mapEventName(a, { eventName: 'app_open', journeyKey: 'fixture', stepEvent: 'a' }, 'test');
		expect((await loadJourneyCatalog(b)).byName.get('app_open')?.map((j) => j.key)).toEqual(['fixture']);
		await saveJourney(a, { ...FIXTURE_JOURNEY, enabled: false }, 'test');
		expect((await loadJourneyCatalog(b)).byKey.has('fixture')).toBe(false);
	});

	it('teams and agents registered by one writer are listed, and renamed, through the other', async () => {
		const { a, b, other, pg } = await twoProcesses();
		const writerB = postgresWriter(other, { derive: deriveOnPostgres });
		const contact = {
			id: 'k1',
			type: 'contact' as const,
			ts: Date.UTC(2026, 0, 5, 9),
			customerId: 'c1',
			channel: 'phone' as const,
			handledBy: 'agent' as const,
			teamId: 'T1',
			agentId: 'A1',
			properties: {}
		};
		await writerB.writeEvents([contact], { sourceId: null });
		expect(await listTeamsWithAgents(a, null)).toMatchObject([
			{ id: 'T1', name: 'T1', agents: [{ id: 'A1', name: 'A1' }] }
		]);
		// Renamed through A (the directory import's way: the row), listed by B at once.
		await pg.db.$client`UPDATE teams SET name = '信用卡一组' WHERE id = 'T1'`;
		expect((await listTeamsWithAgents(b, null))[0].name).toBe('信用卡一组');
		// B's writer knows T1 is registered: a later event neither re-registers nor renames it.
		await writerB.writeEvents([{ ...contact, id: 'k2' }], { sourceId: null });
		expect((await listTeamsWithAgents(b, null))[0].name).toBe('信用卡一组');
	});

	it('a write key revoked through one is refused by the other once it hears of it', async () => {
		const { a, b, other, relayB } = await twoProcesses();
		const created = await createWriteKey(a, { name: 'web' });
		const heard: (string | null)[] = [];
		relayB.onInvalidate('auth.write-keys', (d) => heard.push(d));
		// This process (A) caches the key it verified.
		expect(await verifyWriteKeyCached(a, created.key)).toMatchObject({ sourceId: created.id });
		// B revokes it in the database (its own relay tells A).
		await other.$client`UPDATE api_keys SET revoked_at = ${Date.now()} WHERE id = ${created.id}`;
		expect(await verifyWriteKeyCached(a, created.key)).not.toBeNull();
		await relayB.invalidate('auth.write-keys');
		await until(async () => (await verifyWriteKeyCached(a, created.key)) === null);
		// A revocation through A's revokeKey reaches B.
		const second = await createWriteKey(a, { name: 'app' });
		expect(await revokeKey(a, second.id)).toBe(true);
		await until(() => heard.length === 1);
		expect(await verifyWriteKeyCached(b, second.key)).toBeNull();
	});

	it('the last retention prune shows on every process, whichever ran it', async () => {
		const { a, b } = await twoProcesses();
		expect((await retentionStatus(a)).lastRun).toBeNull();
		const byB = await pruneExpired(b, 400, { now: Date.UTC(2026, 0, 5) });
		expect(byB).toMatchObject({ events: 0, texts: 0, before: Date.UTC(2026, 0, 5) - 400 * 86_400_000 });
		expect((await retentionStatus(a)).lastRun).toEqual(byB);
		const byA = await pruneExpired(a, 400, { now: Date.UTC(2026, 0, 6) });
		expect((await retentionStatus(b)).lastRun).toEqual(byA);
	});

	it(
		'a re-stitch started on one shows on the other, and runs one at a time',
		{ timeout: 60_000 },
		async () => {
			const { a, b, pg } = await twoProcesses();
			await saveJourney(a, FIXTURE_JOURNEY, 'test');
			const writer = postgresWriter(pg.db, { derive: deriveOnPostgres });
			const t0 = Date.UTC(2026, 0, 5, 9);
			await writer.writeEvents(
				['a', 'b', 'c_ok', 'd'].flatMap((name, i) =>
					['c1', 'c2', 'c3'].map((customerId) => ({
						id: `${customerId}-${name}`,
						type: 'journey' as const,
						ts: t0 + i * 60_000,
						customerId,
						name,
						properties: {}
					}))
				),
				{ sourceId: null }
			);
			// B holds the re-stitch (as B's own re-stitch would): A's waits for it.
			let release!: () => void;
			const held = new Promise<void>((r) => (release = r));
			let holding = false;
			const byB = runExclusive(b, 'journeys.restitch', async () => {
				holding = true;
				await held;
			});
			await until(() => holding);
			const byA = restitchInBackground(a, { journeys: ['fixture'] });
			let done = false;
			void byA.then(() => (done = true));
			await new Promise((r) => setTimeout(r, 700));
			expect(done).toBe(false);
			// Both processes show A's re-stitch waiting (the status lives in the database, not in A).
			const waiting = { running: true, customersDone: 0, instances: 0, journeys: ['fixture'], error: null };
			expect(await restitchStatus(a)).toMatchObject(waiting);
			expect(await restitchStatus(b)).toMatchObject(waiting);
			release();
			expect(await byB).toEqual({ ran: true, value: undefined });
			expect(await byA).toBe(3);

			// B shows it ended, with what it did.
			const ended = await restitchStatus(b);
			expect(ended).toMatchObject({ running: false, instances: 3, customersDone: 3, error: null });
			expect(ended?.finishedAt).toBeGreaterThanOrEqual(ended?.startedAt ?? Infinity);
			expect(await restitchStatus(a)).toEqual(ended);

			// A third process started after the re-stitch shows it too.
			const late = await pg.another({ pool: 1, applicationName: 'resonance-c' });
			expect(await restitchStatus(postgresStorage(late))).toEqual(ended);

			// A re-stitch B runs (held up by A this time) shows on A's admin screen while it runs, and when it ends.
			let releaseA!: () => void;
			const heldByA = new Promise<void>((r) => (releaseA = r));
			let holdingA = false;
			const byA2 = runExclusive(a, 'journeys.restitch', async () => {
				holdingA = true;
				await heldByA;
			});
			await until(() => holdingA);
			const byB2 = restitchInBackground(b, { journeys: ['fixture'] });
			await until(async () => ((await restitchStatus(a))?.startedAt ?? 0) > (ended?.startedAt ?? Infinity));
			const running = await restitchStatus(a);
			expect(running).toMatchObject({ running: true, journeys: ['fixture'], finishedAt: null });
			releaseA();
			await byA2;
			expect(await byB2).toBe(3);
			expect(await restitchStatus(a)).toMatchObject({
				running: false,
				startedAt: running?.startedAt,
				instances: 3
			});
		}
	);
});
