import type { Db } from '$lib/server/db';
import type { InstanceStatus } from './core';
import type { Storage } from '$lib/server/db/storage';
import type { JourneyQuery } from './query';
import { journeyStore } from './registry';
import type { ScoreCounts } from './scores';

/**
 * Instances of a journey grouped by what path maps, breakpoints and the journey list need: path, channel
 * switches, depth and status, with their score counts. The database does the grouping, so the application sees
 * hundreds of groups rather than every instance.
 */
export interface InstanceGroup {
	path: string;
	switches: string;
	depth: number;
	status: InstanceStatus;
	count: number;
	/** Any NPS/CSAT answer attached (journey-level first). */
	scores: ScoreCounts;
	/** Answers tagged with the journey only. */
	journeyScores: ScoreCounts;
}

/** A group as the stores read it: path, switches, shape id, depth, status, count, then the score counts. */
export type GroupRaw = [
	string,
	string,
	number,
	number,
	InstanceStatus,
	number,
	number,
	number,
	number,
	number,
	number,
	number,
	number,
	number,
	number,
	number
];

export async function instanceGroups(
	target: Db | Storage,
	journeyKey: string,
	q: JourneyQuery,
	now: number,
	options: { scan?: boolean } = {}
): Promise<InstanceGroup[]> {
	const rows = await journeyStore(target).instanceGroups(journeyKey, q, now, options);
	return rows.map((r) => ({
		path: r[0],
		switches: r[1],
		depth: r[3],
		status: r[4],
		count: r[5],
		scores: { npsN: r[6], promoters: r[7], detractors: r[8], csatN: r[9], satisfied: r[10] },
		journeyScores: { npsN: r[11], promoters: r[12], detractors: r[13], csatN: r[14], satisfied: r[15] }
	}));
}

/** The tokens of a stored path (`|a|b|` → [a, b]). */
export function pathTokens(path: string): string[] {
	return path.length > 2 ? path.slice(1, -1).split('|') : [];
}

export function switchSignatures(switches: string): string[] {
	return switches.length > 2 ? switches.slice(1, -1).split(',') : [];
}

export const LOST_STATUSES: readonly InstanceStatus[] = ['failed', 'abandoned'];
export const isLost = (status: InstanceStatus) => status === 'failed' || status === 'abandoned';
