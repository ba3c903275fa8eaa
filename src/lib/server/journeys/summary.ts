import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { rankBreakpoints, type Breakpoint } from './breakpoints';
import type { JourneyDefinition } from './definitions';
import { instanceGroups } from './groups';
import { MIN_N, type JourneyQuery } from './query';
import { listJourneys } from './registry';
import { npsMeasure, shareMeasure, type Measured } from '$lib/server/stats';
import { addScores, emptyScores } from './scores';

/** One line of the journey list: volume, outcome, journey-level NPS and the top breakpoint. */
export interface JourneySummary {
	key: string;
	name: { zh: string; en: string };
	definition: JourneyDefinition;
	/** Journeys started in the range. */
	started: number;
	completed: number;
	failed: number;
	abandoned: number;
	inProgress: number;
	/**
	 * Completed so far ÷ started, percent. (Completed ÷ ended would overstate recent periods: abandonment is only
	 * known once a journey's window has passed.)
	 */
	completion: Measured;
	/** NPS of answers tagged with the journey. */
	nps: Measured;
	topBreakpoint: Breakpoint | null;
}

export async function summarizeJourney(
	target: Db | Storage,
	definition: JourneyDefinition,
	q: JourneyQuery,
	options: { minN?: number; now?: number } = {}
): Promise<JourneySummary> {
	const minN = options.minN ?? MIN_N;
	const groups = await instanceGroups(target, definition.key, q, options.now ?? Date.now());
	const counts = { in_progress: 0, completed: 0, failed: 0, abandoned: 0 };
	const scores = emptyScores();
	for (const g of groups) {
		counts[g.status] += g.count;
		addScores(scores, g.journeyScores);
	}
	const ended = counts.completed + counts.failed + counts.abandoned;
	return {
		key: definition.key,
		name: definition.name,
		definition,
		started: ended + counts.in_progress,
		completed: counts.completed,
		failed: counts.failed,
		abandoned: counts.abandoned,
		inProgress: counts.in_progress,
		completion: shareMeasure(counts.completed, ended + counts.in_progress, minN),
		nps: npsMeasure(scores.promoters, scores.detractors, scores.npsN, minN),
		topBreakpoint: rankBreakpoints(definition, groups, { minN, limit: 1 }).breakpoints[0] ?? null
	};
}

/** The journey list: every enabled journey summarized over the same query. */
export async function journeySummaries(
	target: Db | Storage,
	q: JourneyQuery,
	options: { minN?: number; now?: number } = {}
): Promise<JourneySummary[]> {
	const out: JourneySummary[] = [];
	for (const r of await listJourneys(target))
		out.push(await summarizeJourney(target, r.definition, q, options));
	return out;
}
