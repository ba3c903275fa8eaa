import type { Db } from '$lib/server/db';
import type { InstanceStatus } from './core';
import { EFFECTIVE_STATUS, instanceFilter, type JourneyQuery } from './query';
import type { ScoreCounts } from './stats';
import { statement } from './statements';

/**
 * Instances of a journey grouped by what path maps, breakpoints and the journey list need: path, channel
 * switches, depth and status, with their score counts. SQLite does the grouping, so the application sees
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

type Raw = [
	string,
	string,
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

export function instanceGroups(db: Db, journeyKey: string, q: JourneyQuery, now: number): InstanceGroup[] {
	const { where, params } = instanceFilter(journeyKey, q);
	const rows = statement(
		db,
		`SELECT path, switches, depth, ${EFFECTIVE_STATUS} AS eff, count(*),
		   count(nps), coalesce(sum(nps >= 9), 0), coalesce(sum(nps <= 6), 0),
		   count(csat), coalesce(sum(csat >= 4), 0),
		   count(journey_nps), coalesce(sum(journey_nps >= 9), 0), coalesce(sum(journey_nps <= 6), 0),
		   count(journey_csat), coalesce(sum(journey_csat >= 4), 0)
		 FROM journey_instances WHERE ${where}
		 GROUP BY path, switches, depth, eff`
	)
		.raw()
		.all({ ...params, now }) as Raw[];
	return rows.map((r) => ({
		path: r[0],
		switches: r[1],
		depth: r[2],
		status: r[3],
		count: r[4],
		scores: { npsN: r[5], promoters: r[6], detractors: r[7], csatN: r[8], satisfied: r[9] },
		journeyScores: { npsN: r[10], promoters: r[11], detractors: r[12], csatN: r[13], satisfied: r[14] }
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
