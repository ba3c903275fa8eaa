import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase, type Db } from '$lib/server/db';
import { postgresStorage, sqliteStorage, type Storage } from '$lib/server/db/storage';
import { byEngine } from '$lib/server/db/storage';
import { ensureDefaultJourneysSync } from '$lib/server/journeys/registry';
import { closeMirror, onBothEngines, writeWithRollups } from '$lib/server/metrics/testing';
import { mirrorToPostgres } from '$lib/server/testing/postgres';
import { indexTextBatch } from '$lib/server/text/indexer';
import { COUNT_FEATURES, DAY_MS, WINDOW_MS, anchorFeatures } from './features';
import { riskStores } from './store';
import { plantedHistory } from './testing';
import * as risk from './index';

const T = Date.UTC(2026, 2, 20);
const H = 3_600_000;

afterAll(() => closeMirror());

function counts(row: { counts: number[] }): Record<string, number> {
	return Object.fromEntries(COUNT_FEATURES.map((f, j) => [f, row.counts[j]]));
}

describe('risk features on both engines', () => {
	it('aggregates one customer by hand: the 14 days before the anchor, labels from the 14 days after', async () => {
		const db = openDatabase(':memory:');
		ensureDefaultJourneysSync(db, T - 30 * DAY_MS);
		const a = 'cust-a';
		const contact = (id: string, ts: number, extra: Partial<CxEvent>) =>
			({
				id,
				type: 'contact',
				ts,
				customerId: a,
				channel: 'phone',
				reason: 'card',
				properties: {},
				...extra
			}) as CxEvent;
		const events: CxEvent[] = [
			{
				id: 'i',
				type: 'identify',
				ts: T - 13 * DAY_MS,
				customerId: a,
				traits: { segment: 'private' },
				properties: {}
			} as CxEvent,
			// A password reset started 12 days before and never finished: its 10-day window closed before the anchor.
			{
				id: 'j1',
				type: 'journey',
				ts: T - 12 * DAY_MS,
				customerId: a,
				name: 'reset_requested',
				channel: 'app',
				properties: {}
			} as CxEvent,
			{
				id: 'j2',
				type: 'journey',
				ts: T - 11 * DAY_MS,
				customerId: a,
				name: 'sms_face_check',
				channel: 'app',
				properties: {}
			} as CxEvent,
			// Transferred after a 200 s wait; another contact 2 h later makes it a repeat chain.
			contact('c1', T - 5 * DAY_MS, {
				handledBy: 'agent',
				teamId: 'team-a',
				waitS: 200,
				outcome: 'transferred',
				handleS: 60
			}),
			contact('c2', T - 5 * DAY_MS + 2 * H, {
				handledBy: 'agent',
				teamId: 'team-b',
				waitS: 10,
				outcome: 'resolved',
				handleS: 60
			}),
			// Abandoned in the queue after a minute (not short, not long).
			contact('c3', T - 2 * DAY_MS, { waitS: 60, outcome: 'abandoned' }),
			{
				id: 'x0',
				type: 'complaint',
				ts: T - 4 * DAY_MS,
				customerId: a,
				channel: 'phone',
				properties: {}
			} as CxEvent,
			{
				id: 'f',
				type: 'feedback',
				ts: T - DAY_MS,
				customerId: a,
				channel: 'phone',
				metric: 'nps',
				score: 3,
				text: '等待时间太长，非常不满意，我要投诉',
				properties: {}
			} as CxEvent,
			{
				id: 'x1',
				type: 'complaint',
				ts: T + 3 * DAY_MS,
				customerId: a,
				channel: 'phone',
				regulator: true,
				properties: {}
			} as CxEvent,
			// Not active before the anchor / active only long before it.
			contact('b1', T + DAY_MS, { customerId: 'cust-b', handledBy: 'agent', waitS: 5, outcome: 'resolved' }),
			contact('c-old', T - 20 * DAY_MS, {
				customerId: 'cust-c',
				handledBy: 'agent',
				waitS: 5,
				outcome: 'resolved'
			})
		];
		writeWithRollups(db, events);
		while ((await indexTextBatch(db)) > 0);
		const rows = await onBothEngines(db, (s) => byEngine(s, riskStores).features(T, T + WINDOW_MS));
		expect(rows.map((r) => r.customerId)).toEqual(['cust-a']);
		expect(rows[0]).toMatchObject({
			teamId: 'team-b',
			segment: 'private',
			complained: 1,
			regulatorComplained: 1
		});
		expect(counts(rows[0])).toEqual({
			contacts: 3,
			repeatChains: 1,
			transfers: 1,
			abandoned: 1,
			longWaits: 1,
			negativeTexts: 1,
			riskWords: 1,
			stuckJourneys: 1,
			detractors: 1,
			priorComplaints: 1
		});
		// One scan of week parts gives the same row (with the repeat chain's 48-hour cut inside the second week).
		const both = await onBothEngines(db, (storage) => bothWays(storage, [T]));
		expect(both.combined).toEqual(both.direct);
		// Scoring at the anchor itself: no label window.
		const scoring = await onBothEngines(db, (s) => byEngine(s, riskStores).features(T, T));
		expect(scoring[0]).toMatchObject({ complained: 0, regulatorComplained: 0 });
		db.$client.close();
	}, 60_000);
});

/**
 * Every anchor's rows as `features(anchor, anchor + 14 d)` gives them, and as one scan of week parts combines them
 * (what training reads): they must be the same rows, in the same order.
 */
async function bothWays(storage: Storage, at: number[], sliceCustomers?: number) {
	const s =
		storage.engine === 'postgres' && sliceCustomers
			? riskStores.postgres(storage.db, { sliceCustomers })
			: byEngine(storage, riskStores);
	const direct = [];
	for (const anchor of at)
		direct.push(
			(await s.features(anchor, anchor + WINDOW_MS)).map((r) => ({
				...r,
				counts: [...r.counts]
			}))
		);
	const texts = [];
	for (const anchor of at) texts.push(await s.textFeatures(anchor));
	const origin = at[0] - WINDOW_MS;
	const combine = anchorFeatures(origin, at, texts, true);
	await s.weekParts(origin, at[at.length - 1] + WINDOW_MS, combine.add);
	const tables = combine.tables();
	const { customerIds, teamIds } = combine.keys();
	const combined = tables.map((t, a) =>
		Array.from({ length: t.n }, (_, i) => ({
			customerId: customerIds[a][i],
			teamId: teamIds[a][i],
			segment: t.segments[i],
			counts: Array.from(t.counts.subarray(i * COUNT_FEATURES.length, (i + 1) * COUNT_FEATURES.length)),
			complained: t.complained[i],
			regulatorComplained: t.regulatorComplained[i]
		}))
	);
	return { direct, combined };
}

describe('risk features of weekly anchors from one scan', () => {
	it('are the rows features() gives each anchor, on both engines (planted history with texts)', async () => {
		const db = plant(true, 5);
		while ((await indexTextBatch(db)) > 0);
		const { train, test } = risk.anchors(T, 3, 2);
		const out = await onBothEngines(db, (storage) => bothWays(storage, [...train, ...test]));
		expect(out.direct.map((rows) => rows.length)).toEqual([700, 700, 700, 700, 700]);
		expect(out.combined).toEqual(out.direct);
		// Not a comparison of zeros: the counts and labels vary.
		const flat = out.direct.flat();
		for (let j = 0; j < COUNT_FEATURES.length; j++)
			if (
				![
					'negativeTexts',
					'riskWords',
					'stuckJourneys',
					'detractors',
					'priorComplaints',
					'abandoned'
				].includes(COUNT_FEATURES[j])
			)
				expect(new Set(flat.map((r) => r.counts[j])).size, COUNT_FEATURES[j]).toBeGreaterThan(1);
		expect(flat.some((r) => r.complained === 1)).toBe(true);
		// PostgreSQL reads the week parts a slice of customers at a time: 700 customers in slices of 150 (and the
		// last, open-ended one) give the same rows.
		const sliced = await onBothEngines(db, (storage) => bothWays(storage, [...train, ...test], 150));
		expect(sliced.combined).toEqual(out.direct);
		db.$client.close();
	}, 120_000);
});

function plant(signal: boolean, seed: number): Db {
	const db = openDatabase(':memory:');
	for (const week of plantedHistory({ customers: 700, weeks: 10, now: T, signal, seed }))
		writeWithRollups(db, week);
	return db;
}

const OPTIONS = { now: T, trainWindows: 3, testWindows: 2 };

describe('risk training', () => {
	it('splits time: training label windows end before the first held-out anchor', () => {
		const { train, test } = risk.anchors(T, 3, 2);
		expect(test).toEqual([T - 21 * DAY_MS, T - 14 * DAY_MS]);
		expect(train).toEqual([T - 49 * DAY_MS, T - 42 * DAY_MS, T - 35 * DAY_MS]);
		expect(train.at(-1)! + WINDOW_MS).toBeLessThanOrEqual(test[0]);
	});

	it('recovers a planted signal on both engines: held-out AUC well above 0.5, calibrated, same answers', async () => {
		const db = plant(true, 11);
		const pg = await mirrorToPostgres(db);
		try {
			const summaries = [];
			for (const storage of [sqliteStorage(db), postgresStorage(pg.db)] as Storage[]) {
				const outcome = await risk.trainRisk(storage, OPTIONS);
				expect(outcome).toMatchObject({ trained: true, trainRows: 2100, testRows: 1400, scored: 700 });
				const model = await risk.currentModel(storage);
				const summary = risk.summarizeModel(model!);
				expect(summary.auc).toBeGreaterThan(0.7);
				expect(summary.auc95![0]).toBeGreaterThan(0.62);
				// Calibration: the deciles' predicted and observed rates agree (weighted mean gap and worst bin).
				const gap =
					summary.calibration.reduce((s, b) => s + b.n * Math.abs(b.predicted - b.observed), 0) / summary.n;
				expect(gap).toBeLessThan(0.04);
				for (const bin of summary.calibration)
					expect(Math.abs(bin.predicted - bin.observed)).toBeLessThan(0.12);
				expect(summary.calibration.reduce((s, b) => s + b.n, 0)).toBe(summary.n);
				const coefficient = (f: string) => summary.features.find((x) => x.feature === f)!.coefficient;
				// The planted trouble shows in four collinear counts: together they carry the signal.
				const trouble = ['contacts', 'repeatChains', 'transfers', 'longWaits'];
				expect(trouble.reduce((s, f) => s + coefficient(f), 0)).toBeGreaterThan(0.5);
				expect(Math.abs(coefficient('riskWords'))).toBe(0);
				const top = await risk.listRisk(storage, { teams: null, limit: 5 });
				expect(top.customers).toHaveLength(5);
				expect(top.customers[0].score).toBeGreaterThanOrEqual(top.customers[4].score);
				expect(top.customers[0].reasons.length).toBeGreaterThan(0);
				expect(trouble).toContain(top.customers[0].reasons[0].feature);
				const { id: _id, trainedAt: _at, ...rest } = summary;
				summaries.push({ rest, top: top.customers });
			}
			expect(summaries[1]).toEqual(summaries[0]);
		} finally {
			await pg.close();
			db.$client.close();
		}
	}, 240_000);

	it('shows no skill on a history without a signal: the AUC interval contains 0.5', async () => {
		const db = plant(false, 12);
		const outcome = await risk.trainRisk(db, OPTIONS);
		expect(outcome.trained).toBe(true);
		const summary = risk.summarizeModel((await risk.currentModel(db))!);
		expect(summary.auc95![0]).toBeLessThan(0.5);
		expect(summary.auc95![1]).toBeGreaterThan(0.5);
		db.$client.close();
	}, 60_000);

	it('refuses to train on too little history', async () => {
		const db = openDatabase(':memory:');
		expect(await risk.trainRisk(db, OPTIONS)).toMatchObject({
			trained: false,
			reason: 'insufficient_history'
		});
		expect(await risk.currentModel(db)).toBeNull();
		db.$client.close();
	});
});
