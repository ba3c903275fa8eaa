import type { Db } from '$lib/server/db';
import type { InstanceStatus } from './core';
import { EFFECTIVE_STATUS, instanceFilter, type JourneyQuery } from './query';
import type { ScoreCounts } from './scores';
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
	// Grouped by the small shape id over the covering index; the shapes' texts are joined to the groups only.
	const rows = statement(
		db,
		`SELECT s.path, s.switches, g.* FROM (
		   SELECT shape_id, depth, ${EFFECTIVE_STATUS} AS eff, count(*),
		     count(nps), coalesce(sum(nps >= 9), 0), coalesce(sum(nps <= 6), 0),
		     count(csat), coalesce(sum(csat >= 4), 0),
		     count(journey_nps), coalesce(sum(journey_nps >= 9), 0), coalesce(sum(journey_nps <= 6), 0),
		     count(journey_csat), coalesce(sum(journey_csat >= 4), 0)
		   FROM journey_instances WHERE ${where}
		   GROUP BY shape_id, depth, eff
		 ) g JOIN journey_shapes s ON s.id = g.shape_id`
	)
		.raw()
		.all({ ...params, now }) as Raw[];
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
