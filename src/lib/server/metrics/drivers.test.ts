import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase } from '$lib/server/db';
import { DEFAULT_INDEX_WEIGHTS } from './cx-index';
import { acceptDriverWeights, drivers, quadrants, shapleyR2, suggestWeights } from './drivers';
import { cxQuery } from './query';
import { getIndexWeights } from './settings';
import { writeWithRollups, closeMirror, onBothEngines } from './testing';

afterAll(closeMirror);

describe('Shapley decomposition of R² (known answers)', () => {
	// Three orthogonal ±1 columns (a 2³ factorial design).
	const x1 = [1, 1, 1, 1, -1, -1, -1, -1];
	const x2 = [1, 1, -1, -1, 1, 1, -1, -1];
	const x3 = [1, -1, 1, -1, 1, -1, 1, -1];
	const rows = x1.map((_, i) => [x1[i], x2[i], x3[i]]);

	it('orthogonal drivers: each gets its squared correlation (y = 2·x1 + x2: 0.8, 0.2, 0)', async () => {
		const y = x1.map((_, i) => 2 * x1[i] + x2[i]);
		const r = shapleyR2(rows, y);
		expect(r?.r2).toBeCloseTo(1, 6);
		expect(r?.shapley[0]).toBeCloseTo(0.8, 6);
		expect(r?.shapley[1]).toBeCloseTo(0.2, 6);
		expect(r?.shapley[2]).toBeCloseTo(0, 6);
	});

	it('two identical drivers share their effect equally', async () => {
		const y = x1.map((v, i) => v + 0.5 * x3[i]);
		const r = shapleyR2(
			x1.map((_, i) => [x1[i], x1[i], x3[i]]),
			y
		);
		// corr² of x1 with y = 1/1.25 = .8, split .4/.4; x3 .2.
		expect(r?.shapley[0]).toBeCloseTo(0.4, 6);
		expect(r?.shapley[1]).toBeCloseTo(0.4, 6);
		expect(r?.shapley[2]).toBeCloseTo(0.2, 6);
	});

	it('Shapley values add up to the full R²', async () => {
		const y = x1.map((_, i) => x1[i] + x2[i] * 0.3 + (i % 3) * 0.2);
		const r = shapleyR2(rows, y);
		expect((r?.shapley ?? []).reduce((a, b) => a + b, 0)).toBeCloseTo(r?.r2 ?? NaN, 12);
	});

	it('quadrants and suggested weights', async () => {
		expect(
			quadrants([
				{ importance: 0.6, performance: 50 },
				{ importance: 0.3, performance: 90 },
				{ importance: 0.1, performance: 40 },
				{ importance: 0, performance: null }
			])
		).toEqual(['fix', 'overinvested', 'monitor', null]);
		const w = suggestWeights(
			{
				csat: 0.3,
				ces: 0.1,
				service_level: 0.2,
				fcr: 0.2,
				repeat_contact_rate: 0,
				transfer_rate: 0.2,
				complaint_rate: 0
			},
			DEFAULT_INDEX_WEIGHTS
		);
		expect(w.components).toEqual({
			csat: 0.5,
			ces: 0.167,
			nps: 0.333,
			service_level: 0.333,
			fcr: 0.333,
			repeat_contact_rate: 0,
			transfer_rate: 0.333,
			complaint_rate: 0
		});
		expect(w.layers).toEqual(DEFAULT_INDEX_WEIGHTS.layers);
	});
});

describe('driver analysis over stored events (known answer)', () => {
	it('NPS driven by transfers only: transfer is the top driver and gets the operations weight', async () => {
		const db = openDatabase(':memory:');
		const T0 = Date.parse('2025-03-03T00:00:00+08:00');
		const events: CxEvent[] = [];
		let n = 0;
		for (let i = 0; i < 200; i++) {
			const customerId = `d${i}`;
			const transferred = i % 4 === 0;
			const fast = (i * 7) % 3 !== 0; // independent of the transfers
			events.push({
				id: `c${++n}`,
				type: 'contact',
				customerId,
				ts: T0 + i * 60_000,
				channel: 'phone',
				handledBy: 'agent',
				outcome: transferred ? 'transferred' : 'resolved',
				waitS: fast ? 5 : 60,
				handleS: 200,
				reason: `r${i % 5}`,
				properties: {}
			});
			events.push({
				id: `f${++n}`,
				type: 'feedback',
				customerId,
				ts: T0 + 6 * 3_600_000 + i * 60_000,
				metric: 'nps',
				score: transferred ? 2 : 10,
				properties: {}
			});
		}
		writeWithRollups(db, events);
		const q = cxQuery({ from: T0, to: T0 + 86_400_000 });
		const a = await onBothEngines(db, (t) => drivers(t, q));
		expect(a.n).toBe(200);
		expect(a.r2).toBeCloseTo(1, 6);
		expect(a.drivers[0].key).toBe('transfer_rate');
		expect(a.drivers[0].importance).toBeGreaterThan(0.99);
		expect(a.drivers[0].correlation).toBeGreaterThan(0.99);
		expect(a.drivers[0].performance).toBeCloseTo(75, 9);
		expect(a.suggestion?.components.transfer_rate).toBeGreaterThan(0.99);
		// Accepting the suggestion stores it.
		await acceptDriverWeights(db, a.suggestion ?? DEFAULT_INDEX_WEIGHTS, 'admin@example.com');
		expect((await getIndexWeights(db)).components.transfer_rate).toBe(a.suggestion?.components.transfer_rate);
		// A manager scoped to a team with no answers gets no analysis.
		const none = await onBothEngines(db, (t) => drivers(t, { ...q, scope: { teams: ['nobody'] } }));
		expect(none.n).toBe(0);
		expect(none.suggestion).toBeNull();
	});
});
