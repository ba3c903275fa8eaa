/**
 * The live demo stream: the same center as the history (same catalog, same customers, same behaviour), producing
 * what happened since the previous call. The simulator loop that posts these over HTTP lives in simulator.ts.
 */
import type { CxEvent } from '$lib/model';
import { createOutage, type Outage } from './outage';
import { CenterSimulation, DAY_MS, MINUTE_MS } from './simulation';

export interface LiveStreamOptions {
	seed: number;
	/** Average events per minute. */
	ratePerMinute: number;
	/** When the stream starts (default: the first `next` call). */
	start?: number;
	/** How many customers the seeded history holds: returning live customers are drawn from them. */
	knownCustomers?: number;
	/** Follow the daily cycle (quiet nights) instead of a steady rate; off by default so a demo never looks dead. */
	dailyCycle?: boolean;
	incident?: boolean;
}

export interface LiveStream {
	/**
	 * When true the center is in an incident: service level drops, waits and abandonment rise, complaints and
	 * angry comments rise. Alert rules are expected to notice.
	 */
	incident: boolean;
	/** Events that happened since the previous call, up to `now`, in time order. */
	next(now?: number, incident?: boolean): CxEvent[];
	/** Events already decided but still in the future (follow-ups, later journey steps). */
	readonly pending: number;
}

/**
 * Events a live day holds at scale 1 (measured: 250 a minute over a whole China day at a set 240 with 9,500, seeds
 * 1–3): more than a history day because every customer is identified the first time the stream meets them, as a
 * client library identifies on each session.
 */
const LIVE_EVENTS_PER_DAY = 9_900;
/** Customers in a 90-day history of scale 1, measured; live returning customers are drawn from these. */
export const HISTORY_CUSTOMERS = 140_000;
/** Live customers new to the bank are numbered from here, clear of any history. */
const FIRST_LIVE_CUSTOMER = 2_000_000;
/** Simulated time spawned before the first batch, so the stream starts mid-flow rather than empty. */
const LEAD_IN_MS = 20 * MINUTE_MS;

export function createLiveStream(options: LiveStreamOptions): LiveStream {
	const scale = Math.max(0.001, options.ratePerMinute / (LIVE_EVENTS_PER_DAY / 1440));
	let sim: CenterSimulation | undefined;
	let outage: Outage | undefined;
	let last = 0;
	let emitFrom = 0;

	const stream: LiveStream = {
		incident: options.incident ?? false,
		get pending() {
			return sim?.pending ?? 0;
		},
		next(now = Date.now(), incident?: boolean) {
			if (incident !== undefined) stream.incident = incident;
			if (!sim) {
				const start = options.start ?? now;
				// The start time is part of every id, so a restarted simulator never repeats an id already stored.
				sim = new CenterSimulation({
					seed: options.seed,
					idPrefix: `l${options.seed}-${start.toString(36)}-`,
					scale,
					firstNewCustomer: FIRST_LIVE_CUSTOMER,
					knownCustomers: options.knownCustomers ?? HISTORY_CUSTOMERS,
					trendAt: () => 1,
					incidentAt: () => stream.incident
				});
				outage = createOutage({
					seed: options.seed,
					ratePerMinute: options.ratePerMinute,
					idPrefix: `l${options.seed}-${start.toString(36)}-`,
					knownCustomers: options.knownCustomers ?? HISTORY_CUSTOMERS
				});
				last = start - LEAD_IN_MS;
				emitFrom = start - MINUTE_MS;
			}
			// After a long pause (a suspended laptop) catch up on half an hour only, not on a burst of hours.
			last = Math.max(last, now - 30 * MINUTE_MS);
			// An outage is felt at once (hang-ups, angry in-app feedback), before its slower effects arrive.
			const immediate = stream.incident && outage ? outage.next(Math.max(last, emitFrom), now) : [];
			if (last < now) {
				sim.spawn(last, now, options.dailyCycle ? undefined : ((now - last) / DAY_MS) * scale);
				last = now;
			}
			const drained = sim.drain(now + 1, emitFrom);
			return immediate.length ? drained.concat(immediate).sort((a, b) => a.ts - b.ts) : drained;
		}
	};
	return stream;
}
