import { afterAll, describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase } from '$lib/server/db';
import { componentScore, computeCxIndex, DEFAULT_INDEX_WEIGHTS } from './cx-index';
import { kpis } from './kpis';
import { cxQuery } from './query';
import type { KpiEstimate, KpiKey } from './registry';
import { getIndexWeights, setIndexWeights, SettingsError } from './settings';
import { writeWithRollups, closeMirror, onBothEngines } from './testing';

afterAll(closeMirror);

const est = (value: number, se: number, n = 100): KpiEstimate => ({
	value,
	n,
	ci95: [value - 1.96 * se, value + 1.96 * se],
	se,
	lowConfidence: false
});

describe('composite CX index (pure)', () => {
	const estimates: Partial<Record<KpiKey, KpiEstimate>> = {
		csat: est(80, 4),
		ces: est(70, 5),
		nps: est(20, 10, 60),
		service_level: est(80, 2),
		fcr: est(70, 3),
		repeat_contact_rate: est(10, 1),
		transfer_rate: est(20, 2),
		complaint_rate: est(12.5, 1)
	};

	it('two layers 50/50, equal weights: perception 70, operations 74 → 72, delta-method interval', async () => {
		// Perception: 80, 70, (20 + 100)/2 = 60. Operations: 80, 70, 90, 80, 100·(20 − 12.5)/15 = 50.
		const r = computeCxIndex(estimates);
		expect(r.value).toBeCloseTo(72, 12);
		expect(r.n).toBe(60);
		// Components of a layer share answers or contacts: per layer the any-correlation bound Σ|aᵢ|·SEᵢ;
		// perception (1/6)·(4 + 5 + .5·10), operations (1/10)·(2 + 3 + 1 + 2 + 100/15·1); the layers independent.
		const perception = (1 / 6) * (4 + 5 + 5);
		const operations = (1 / 10) * (2 + 3 + 1 + 2 + 100 / 15);
		const variance = perception ** 2 + operations ** 2;
		expect(r.se).toBeCloseTo(Math.sqrt(variance), 12);
		expect(r.ci95?.[0]).toBeCloseTo(72 - 1.96 * Math.sqrt(variance), 12);
		// Wider than treating the components as independent (the old interval).
		const independent = (1 / 36) * (16 + 25 + 25) + (1 / 100) * (4 + 9 + 1 + 4 + (100 / 15) ** 2);
		expect(r.se as number).toBeGreaterThan(Math.sqrt(independent));
		expect(r.missing).toEqual([]);
		expect(r.components.complaint_rate).toEqual({ score: 50, weight: 0.1 });
	});

	it('a component under its minimum n makes the index insufficient data, not a re-weighted value', async () => {
		const ces = { ...est(0, 0, 10), value: null };
		const r = computeCxIndex({ ...estimates, ces });
		expect(r.value).toBeNull();
		expect(r.ci95).toBeNull();
		expect(r.n).toBe(10);
		expect(r.missing).toEqual(['ces']);
	});

	it('an admin may allow a partial index: the layer renormalised and the missing component named', async () => {
		const ces = { ...est(0, 0, 10), value: null };
		const r = computeCxIndex({ ...estimates, ces }, { ...DEFAULT_INDEX_WEIGHTS, allowMissing: true });
		// Perception (80 + 60)/2 = 70: unchanged here; its weights become 1/4 each.
		expect(r.value).toBeCloseTo(72, 12);
		expect(r.components.csat.weight).toBeCloseTo(0.25, 12);
		expect(r.components.ces.weight).toBe(0);
		expect(r.missing).toEqual(['ces']);
	});

	it('no value without at least one component in each weighted layer', async () => {
		const r = computeCxIndex({ csat: est(80, 4) });
		expect(r.value).toBeNull();
		const perceptionOnly = computeCxIndex(
			{ csat: est(80, 4) },
			{
				layers: { perception: 1, operations: 0 },
				components: { ...DEFAULT_INDEX_WEIGHTS.components, ces: 0, nps: 0 }
			}
		);
		expect(perceptionOnly.value).toBe(80);
		// Components of a layer weighted 0 are not missing.
		expect(perceptionOnly.missing).toEqual([]);
	});

	it('complaint rate maps linearly from 20 per 10k (0) to the target (100), clamped', async () => {
		expect(componentScore('complaint_rate', 5)).toEqual({ score: 100, slope: 0 });
		expect(componentScore('complaint_rate', 2)).toEqual({ score: 100, slope: 0 });
		expect(componentScore('complaint_rate', 20).score).toBe(0);
		expect(componentScore('complaint_rate', 35).score).toBe(0);
		expect(componentScore('complaint_rate', 10, 10)).toEqual({ score: 100, slope: 0 });
		expect(componentScore('complaint_rate', 15, 10).score).toBe(50);
	});
});

describe('composite CX index (through the registry and stored weights)', () => {
	let n = 0;
	const ev = (e: Partial<CxEvent> & Pick<CxEvent, 'type' | 'customerId' | 'ts'>): CxEvent => ({
		id: `i${++n}`,
		properties: {},
		...e
	});
	const T0 = Date.parse('2025-03-03T00:00:00+08:00');

	it('known answer: perfect operations and surveys except NPS −100 → (100 + 100 + 0)/3 and 100 → 83.33', async () => {
		const db = openDatabase(':memory:');
		const events: CxEvent[] = [];
		for (let i = 0; i < 40; i++) {
			const customerId = `x${i}`;
			const ts = T0 + i * 60_000;
			events.push(
				ev({
					type: 'contact',
					customerId,
					ts,
					channel: 'phone',
					handledBy: 'agent',
					outcome: 'resolved',
					waitS: 5,
					handleS: 100,
					reason: 'card'
				}),
				ev({ type: 'feedback', customerId, ts, metric: 'csat', score: 5 }),
				ev({ type: 'feedback', customerId, ts, metric: 'ces', score: 7 }),
				ev({ type: 'feedback', customerId, ts, metric: 'nps', score: 0 })
			);
		}
		writeWithRollups(db, events);
		const q = cxQuery({ from: T0, to: T0 + 86_400_000 });
		const index = (await onBothEngines(db, (t) => kpis(t, q))).rows[0].kpis.cx_index;
		expect(index.value).toBeCloseTo(250 / 3, 10);
		expect(index.n).toBe(40);
		expect(index.ci95?.[0]).toBeCloseTo(250 / 3, 10);

		await setIndexWeights(db, { layers: { perception: 1, operations: 0 } }, 'admin@example.com');
		expect((await onBothEngines(db, (t) => kpis(t, q))).rows[0].kpis.cx_index.value).toBeCloseTo(200 / 3, 10);
		await setIndexWeights(db, { components: { nps: 0 } });
		expect((await onBothEngines(db, (t) => kpis(t, q))).rows[0].kpis.cx_index.value).toBeCloseTo(100, 10);
		expect((await getIndexWeights(db)).layers).toEqual({ perception: 1, operations: 0 });
		await expect(setIndexWeights(db, { components: { csat: 0, ces: 0 } })).rejects.toThrow(SettingsError);
		expect((await getIndexWeights(db)).allowMissing).toBe(false);
		expect((await setIndexWeights(db, { allowMissing: true })).allowMissing).toBe(true);
		expect(await getIndexWeights(db)).toMatchObject({
			allowMissing: true,
			layers: { perception: 1, operations: 0 }
		});
		await expect(setIndexWeights(db, { layers: { perception: -1 } })).rejects.toThrow(SettingsError);
	});
});
