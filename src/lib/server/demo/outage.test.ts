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
		// Post-call detractors name their contact, team and agent, so their follow-up cases reach the manager.
		const contacts = new Map(outage.filter((e) => e.type === 'contact').map((e) => [e.id, e]));
		const postCall = outage.filter((e) => e.properties.outage && e.properties.prompt === 'post_call');
		expect(postCall.length).toBeGreaterThan(5);
		for (const e of postCall) {
			expect(e).toMatchObject({ type: 'feedback', metric: 'csat', channel: 'phone' });
			expect(e.score).toBeLessThanOrEqual(2);
			const contact = contacts.get(e.contactId as string);
			expect(contact).toMatchObject({ teamId: e.teamId, agentId: e.agentId, outcome: 'unresolved' });
			expect(contact?.waitS).toBeGreaterThan(20);
		}
		const ids = outage.map((e) => e.id);
		expect(new Set(ids).size).toBe(ids.length);
		for (let i = 1; i < outage.length; i++) expect(outage[i].ts).toBeGreaterThanOrEqual(outage[i - 1].ts);
	});
});
