/**
 * What the journey screens' server code hands the browser: plain data shared by both sides (server:
 * $lib/server/journeys), so components type their props without importing server modules.
 */

import type { EventFields } from '$lib/model';

/** One step of a funnel: who reached it, conversion with intervals, time from the previous step, and who was lost. */
export interface FunnelStep {
	/** The step key: its event name (alternatives joined by `|`). */
	step: string;
	events: string[];
	optional: boolean;
	customers: number;
	/**
	 * Percent of the customers who started, leaving out journeys still in progress before this step (their
	 * abandonment window has not passed); null when fewer than the minimum n.
	 */
	conversionFromStart: number | null;
	/** Its 95% Wilson interval in percent (n: startCustomers). */
	conversionFromStartCi95: [number, number] | null;
	/** The n behind `conversionFromStart`: customers who started minus those in progress before this step. */
	startCustomers: number;
	/** Percent of the customers at the previous required step (in-progress ones left out); null under min n. */
	conversionFromPrevious: number | null;
	conversionFromPreviousCi95: [number, number] | null;
	/** The n behind `conversionFromPrevious`. */
	previousCustomers: number;
	/** Seconds since the previous step reached (median, 90th percentile); null under the minimum n. */
	medianSecondsFromPrevious: number | null;
	p90SecondsFromPrevious: number | null;
	/** Distribution-free 95% intervals of the median and the 90th percentile (order statistics). */
	medianSecondsCi95: [number, number] | null;
	p90SecondsCi95: [number, number] | null;
	/** The n behind the times. */
	timeN: number;
	/** Customers whose journey stopped at this step and failed or was abandoned. */
	lost: number;
	/** Customers at this step whose journey is still within its window. */
	inProgress: number;
	/** Customers per alternative, for a step with more than one event. */
	branches: { event: string; customers: number }[];
}

/** One event of a customer's timeline, with the journey instances (lanes) it belongs to. */
export interface TimelineEvent extends EventFields {
	seq: number;
	/** Epoch ms. */
	ts: number;
	sentiment: number | null;
	/** A journey step attempt that failed. */
	failed: boolean;
	/** The journey instances (lane ids) it belongs to. */
	lanes: number[];
}
