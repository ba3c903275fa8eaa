/**
 * The demo history: `days` of a believable service center ending at `end`, generated hour by hour and handed out
 * one China-local day at a time, in time order. Deterministic for a seed: same seed, same events, same ids.
 */
import type { CxEvent } from '$lib/model';
import { hashSeed } from './random';
import { CenterSimulation, DAY_MS, HOUR_MS, chinaHour, chinaWeekday, type OutreachPlan } from './simulation';

export type { OutreachPlan } from './simulation';

export interface HistoryOptions {
	seed: number;
	/** Length of the history in days (default 90). */
	days?: number;
	/** The end of the history (exclusive), usually now. */
	end: Date | number;
	/** Volume multiplier: 1 gives ≈ 9,450 events a day. */
	scale?: number;
	/** Told the demo's outreach audience once it is drawn (histories of `DEMO_OUTREACH.minDays` days or more). */
	onOutreach?: (plan: OutreachPlan) => void;
	/** The id the outreach audience will be stored under (demo/outreach.ts reserveDemoAudienceId; default 1). */
	audienceId?: number;
}

/**
 * The demo's finished outreach audience (issue 19): drawn `daysBeforeEnd` days before the end of the history (so its
 * 14-day outcome window has closed), from the customers with the highest grievance, `size × scale` of them, a fifth held
 * out (enough holdout to measure a lift); the outbound team calls the treatment (simulation.ts `plantOutreach`). The audience id is the one the first
 * audience of a new database gets; seed.ts stores the audience with these members after the events.
 */
export const DEMO_OUTREACH = {
	audienceId: 1,
	daysBeforeEnd: 20,
	minDays: 35,
	holdoutPercent: 20,
	size: 400,
	minGrievance: 2,
	outcomeDays: 14
} as const;

export interface Incident {
	from: number;
	to: number;
	/** What went wrong, for the record (the generator treats every incident alike). */
	kind: 'app_outage' | 'telephony_degradation';
}

/** Days simulated before the history starts so repeat contacts and journeys are already under way on day one. */
const WARM_UP_DAYS = 3;
/** Average events per day at scale 1 (measured over 90 days, seed 1: 849,802 events; used for progress estimates). */
export const EVENTS_PER_DAY = 9_450;

/** A rough count of the events a history will hold, for progress bars (the real count differs by a few %). */
export function estimateHistoryEvents(days: number, scale = 1): number {
	return Math.round(EVENTS_PER_DAY * days * scale);
}

/**
 * Two short incidents inside histories of two weeks or more (an app outage, a telephony slowdown), on weekday
 * mornings, so anomaly detection and alert rules have something to find in the history.
 */
export function historyIncidents(seed: number, start: number, end: number): Incident[] {
	const days = Math.floor((end - start) / DAY_MS);
	if (days < 14) return [];
	const incidents: Incident[] = [];
	const plan: [number, Incident['kind'], number][] = [
		[0.38, 'telephony_degradation', 2.5],
		[0.78, 'app_outage', 2]
	];
	for (const [at, kind, hours] of plan) {
		let day = Math.floor(days * at) + (hashSeed(seed, kind) % 5) - 2;
		let dayStart = chinaMidnight(start + day * DAY_MS);
		while (chinaWeekday(dayStart) === 0 || chinaWeekday(dayStart) === 6) {
			day++;
			dayStart = chinaMidnight(start + day * DAY_MS);
		}
		const from = dayStart + (kind === 'app_outage' ? 10 : 14) * HOUR_MS;
		incidents.push({ from, to: from + hours * HOUR_MS, kind });
	}
	return incidents;
}

function chinaMidnight(ts: number): number {
	return ts - chinaHour(ts) * HOUR_MS - (ts % HOUR_MS);
}

/** Yields the history one China-local day at a time (the first and last days may be partial). */
export function* generateHistory(options: HistoryOptions): Generator<CxEvent[], void, undefined> {
	const days = options.days ?? 90;
	const scale = options.scale ?? 1;
	const end = typeof options.end === 'number' ? options.end : options.end.getTime();
	const start = end - days * DAY_MS;
	const warmStart = start - WARM_UP_DAYS * DAY_MS;
	const incidents = historyIncidents(options.seed, start, end);
	const sim = new CenterSimulation({
		seed: options.seed,
		idPrefix: `d${options.seed}-`,
		scale,
		firstNewCustomer: 1,
		knownCustomers: 0,
		trendAt: (ts) => Math.min(1, Math.max(0, (ts - start) / (end - start))),
		incidentAt: (ts) => incidents.some((i) => ts >= i.from && ts < i.to)
	});

	const outreachAt = days >= DEMO_OUTREACH.minDays ? end - DEMO_OUTREACH.daysBeforeEnd * DAY_MS : null;
	let day: CxEvent[] = [];
	for (let hour = Math.floor(warmStart / HOUR_MS) * HOUR_MS; hour < end; hour += HOUR_MS) {
		const from = Math.max(hour, warmStart);
		const to = Math.min(hour + HOUR_MS, end);
		sim.spawn(from, to);
		if (outreachAt !== null && outreachAt >= from && outreachAt < to) {
			for (const e of sim.drain(outreachAt, start)) day.push(e);
			const plan = sim.plantOutreach(outreachAt, {
				audienceId: options.audienceId ?? DEMO_OUTREACH.audienceId,
				holdoutPercent: DEMO_OUTREACH.holdoutPercent,
				size: Math.max(1, Math.round(DEMO_OUTREACH.size * scale)),
				minGrievance: DEMO_OUTREACH.minGrievance
			});
			options.onOutreach?.(plan);
		}
		const events = sim.drain(to, start);
		for (const e of events) day.push(e);
		if ((chinaHour(hour) === 23 || to === end) && day.length > 0) {
			yield day;
			day = [];
		}
	}
}
