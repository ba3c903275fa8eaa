import type { CxEvent } from '$lib/model';
import { DAY_MS } from './features';

/** A small deterministic generator (mulberry32), so every run sees the same synthetic history. */
export function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/**
 * A synthetic history for the risk model, one batch of events per week up to `now`: every customer contacts the
 * center each week, with a "trouble" level (0–2) that mostly persists from week to week and shows as repeat
 * contacts, long waits and transfers.
 * With `signal`, a complaint follows 3–6 days later with probability 3% + 20% × trouble; without, with the same
 * average probability for everyone. 30% of complaints are regulator (12378) referrals.
 */
export function plantedHistory(options: {
	customers: number;
	weeks: number;
	now: number;
	signal: boolean;
	seed?: number;
}): CxEvent[][] {
	const rnd = seeded(options.seed ?? 7);
	const weeks: CxEvent[][] = [];
	const level: number[] = [];
	for (let w = options.weeks; w >= 1; w--) {
		const weekStart = options.now - w * 7 * DAY_MS;
		const events: CxEvent[] = [];
		for (let c = 0; c < options.customers; c++) {
			const customerId = `cust-${String(c).padStart(4, '0')}`;
			const id = (k: string) => `${customerId}-${w}-${k}`;
			const start = weekStart + Math.floor(rnd() * 2 * DAY_MS);
			if (w === options.weeks)
				events.push({
					id: id('i'),
					type: 'identify',
					ts: weekStart,
					customerId,
					traits: { segment: c % 4 === 0 ? 'private' : 'mass' },
					properties: {}
				} as CxEvent);
			// An unresolved problem tends to last: the level carries over from the week before 80% of the time.
			const u = rnd();
			const drawn = u < 0.6 ? 0 : u < 0.85 ? 1 : 2;
			const trouble = (level[c] = level[c] === undefined || rnd() >= 0.8 ? drawn : level[c]);
			for (let k = 0; k <= trouble; k++)
				events.push({
					id: id(`c${k}`),
					type: 'contact',
					ts: start + k * 20 * 3_600_000,
					customerId,
					channel: 'phone',
					handledBy: 'agent',
					teamId: `team-${c % 3}`,
					agentId: `agent-${c % 5}`,
					reason: 'card',
					waitS: trouble ? 240 : 20,
					handleS: 300,
					outcome: trouble === 2 && k === 0 ? 'transferred' : 'resolved',
					properties: {}
				} as CxEvent);
			const p = options.signal ? 0.03 + 0.2 * trouble : 0.14;
			const at = start + Math.floor((3 + rnd() * 3) * DAY_MS);
			if (rnd() < p && at < options.now)
				events.push({
					id: id('x'),
					type: 'complaint',
					ts: at,
					customerId,
					channel: 'phone',
					category: 'service',
					severity: 'high',
					regulator: rnd() < 0.3,
					properties: {}
				} as CxEvent);
		}
		weeks.push(events.sort((a, b) => a.ts - b.ts));
	}
	return weeks;
}
