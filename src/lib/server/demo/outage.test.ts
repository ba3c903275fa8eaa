import { describe, expect, it } from 'vitest';
import type { CxEvent } from '$lib/model';
import { compileTagRules, defaultTagRules, matchTags } from '$lib/server/text';
import { createLiveStream } from './live';

const START = Date.UTC(2025, 5, 2, 2); // 10:00 in China
const MINUTE = 60_000;

function run(incidentFrom: number, minutes: number): CxEvent[] {
	const stream = createLiveStream({ seed: 4, ratePerMinute: 600, start: START });
	const events: CxEvent[] = [];
	for (let now = START; now <= START + minutes * MINUTE; now += 1_000)
		events.push(...stream.next(now, now >= START + incidentFrom * MINUTE));
	return events;
}

describe('the outage of the incident switch', () => {
	const risk = compileTagRules(
		defaultTagRules().filter((r) => r.tag === 'risk' && r.id !== 'risk.complaint')
	);
	const inMinute = (events: CxEvent[], m: number) =>
		events.filter((e) => e.ts >= START + m * MINUTE && e.ts < START + (m + 1) * MINUTE);

	it('is felt within the first minute: hang-ups, angry comments with risk words, app complaints', () => {
		const calm = run(99, 13);
		const outage = run(10, 13);
		expect(outage.slice(0, 100).map((e) => e.id)).toEqual(calm.slice(0, 100).map((e) => e.id));
		const before = inMinute(calm, 10);
		const after = inMinute(outage, 10);
		const abandoned = (list: CxEvent[]) => list.filter((e) => e.outcome === 'abandoned').length;
		const threats = (list: CxEvent[]) =>
			list.filter((e) => e.text && matchTags(e.text, risk).length > 0).length;
		expect(abandoned(after)).toBeGreaterThan(abandoned(before) + 30);
		expect(threats(after)).toBeGreaterThanOrEqual(threats(before) + 8);
		expect(outage.filter((e) => e.type === 'complaint' && e.properties.outage).length).toBeGreaterThan(0);
		const ids = outage.map((e) => e.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (let i = 1; i < outage.length; i++) expect(outage[i].ts).toBeGreaterThanOrEqual(outage[i - 1].ts);
	});
});
