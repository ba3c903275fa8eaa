import { describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { openDatabase } from '$lib/server/db';
import { kpis } from '$lib/server/metrics/kpis';
import { cxQuery } from '$lib/server/metrics/query';
import { writeWithRollups } from '$lib/server/metrics/testing';
import { recomputeText, scoreSentiment, topics } from './index';

const T0 = Date.UTC(2025, 5, 2, 1);
const HOUR = 3_600_000;

/** Texts whose scores sit either side of the band edges (checked below, so a lexicon change shows here). */
const TEXTS = {
	/** +0.233: inside ±0.25, neutral. */
	mildThanks: '卡被盗刷后客服马上帮我冻结了，非常感谢！',
	/** −0.243: inside ±0.25, neutral. */
	mildQuestion: '买理财为什么要双录',
	positive: '挺好',
	negative: '有点慢'
};

function feedback(i: number, text: string): CxEvent {
	return {
		id: `f${i}`,
		type: 'feedback',
		ts: T0 + i * 60_000,
		customerId: `c${i}`,
		channel: 'app',
		metric: 'csat',
		score: 4,
		text,
		properties: {}
	};
}

async function fixture(mix: [string, number][]) {
	const db = openDatabase(':memory:');
	const events: CxEvent[] = [];
	for (const [text, count] of mix) for (let k = 0; k < count; k++) events.push(feedback(events.length, text));
	writeWithRollups(db, events);
	await recomputeText(db, { seed: 1 });
	const period = { from: T0 - HOUR, to: T0 + 24 * HOUR };
	const kpi = (await kpis(db, cxQuery(period))).rows[0].kpis.sentiment;
	return { kpi, voice: (await topics(db, period)).sentiment };
}

describe('one sentiment threshold (±0.25) on the wallboard and /voice', () => {
	it('the fixture texts score where the test needs them', async () => {
		expect(scoreSentiment(TEXTS.mildThanks)).toBeCloseTo(0.233, 3);
		expect(scoreSentiment(TEXTS.mildQuestion)).toBeCloseTo(-0.243, 3);
		expect(scoreSentiment(TEXTS.positive) as number).toBeGreaterThan(0.25);
		expect(scoreSentiment(TEXTS.negative) as number).toBeLessThan(-0.25);
	});

	it('gives the same index, n and interval for the same texts', async () => {
		// 12 positive, 8 negative, 25 within ±0.25: (12 − 8) / 45 × 100 = 8.9 (a ±0.2 band would say 42.2).
		const { kpi, voice } = await fixture([
			[TEXTS.mildThanks, 20],
			[TEXTS.mildQuestion, 5],
			[TEXTS.positive, 12],
			[TEXTS.negative, 8]
		]);
		expect(kpi.n).toBe(45);
		expect(kpi.value).toBeCloseTo((4 / 45) * 100, 9);
		expect(voice.n).toBe(45);
		expect(voice.index).toBeCloseTo(kpi.value as number, 1);
		expect(voice.ci95?.[0]).toBeCloseTo(kpi.ci95?.[0] as number, 1);
		expect(voice.ci95?.[1]).toBeCloseTo(kpi.ci95?.[1] as number, 1);
		expect(voice.minN).toBe(30);
	});

	it('shows no /voice index under the minimum n, as the KPI shows none', async () => {
		const { kpi, voice } = await fixture([
			[TEXTS.positive, 20],
			[TEXTS.negative, 9]
		]);
		expect(kpi).toMatchObject({ value: null, n: 29 });
		expect(voice).toMatchObject({ index: null, ci95: null, n: 29, minN: 30 });
	});
});
