import type { Db } from '$lib/server/db';
import type { Storage } from '$lib/server/db/storage';
import { MIN_N, type JourneyQuery } from './query';
import { journeyStore } from './registry';
import { npsMeasure, shareMeasure, type Measured } from '$lib/server/stats';
import { isDetractor, isPromoter, isSatisfied } from './scores';

/**
 * Touchpoint vs journey: the satisfaction of a journey's touchpoints (surveys after its contacts, not tagged
 * with the journey) beside the journey-level score (answers tagged with the journey), for the journeys started in
 * the range, so a researcher sees where good touchpoints add up to a poor journey.
 */
export interface TouchpointGap {
	journey: string;
	from: string;
	to: string;
	minN: number;
	touchpoints: { csat: Measured; nps: Measured; byChannel: { channel: string | null; csat: Measured }[] };
	journeyLevel: { csat: Measured; nps: Measured };
	/** Touchpoint − journey, in points, when both sides have the minimum n. */
	csatGap: number | null;
	npsGap: number | null;
}

export interface Answer {
	/** The answer's event (one answer may be linked to several instances of the range). */
	seq: number;
	channel: string | null;
	metric: string;
	score: number;
	tagged: number;
	teamId: string | null;
}

/** Rows of `journey_gap_answers` alike in all the gap reads: tagged, metric, channel, team, score, how many. */
export type AnswerCount = [
	tagged: number,
	metric: string,
	channel: string | null,
	teamId: string | null,
	score: number,
	rows: number
];

class Counter {
	n = 0;
	hits = 0;
	promoters = 0;
	detractors = 0;
	/** `times` answers alike. */
	add(a: Pick<Answer, 'metric' | 'score'>, times = 1) {
		this.n += times;
		if (a.metric === 'csat' && isSatisfied(a.score)) this.hits += times;
		if (a.metric === 'nps') {
			if (isPromoter(a.score)) this.promoters += times;
			if (isDetractor(a.score)) this.detractors += times;
		}
	}
}

/**
 * The distinct answers of a query as counts of alike answers: from the table's rows counted by the database, less
 * the repeats of the answers linked to more than one instance of the range (found among the rows' seqs, then read
 * one by one); `scan`: from the links and events, each answer once.
 */
async function answerCounts(target: Db | Storage, journeyKey: string, q: JourneyQuery, scan: boolean) {
	const store = journeyStore(target);
	if (scan) {
		const rows = await store.gapAnswers(journeyKey, q, { scan: true });
		const seen = new Set<number>();
		return rows
			.filter((a) => !seen.has(a.seq) && seen.add(a.seq))
			.map((a): AnswerCount => [a.tagged, a.metric, a.channel, a.teamId, a.score, 1]);
	}
	const { counts, seqs } = await store.gapAnswerCounts(journeyKey, q);
	const seen = new Set<number>();
	const repeated = new Set<number>();
	for (const seq of seqs)
		if (seen.has(seq)) repeated.add(seq);
		else seen.add(seq);
	if (repeated.size === 0) return counts;
	// Each repeat of an answer is taken off the count it was added to.
	const rows = await store.gapAnswers(journeyKey, q, { seqs: [...repeated] });
	const once = new Set<number>();
	const extra = rows.filter((a) => once.has(a.seq) || !once.add(a.seq));
	return counts.concat(extra.map((a): AnswerCount => [a.tagged, a.metric, a.channel, a.teamId, a.score, -1]));
}

/**
 * The answers come from `journey_gap_answers` (kept by triggers); `scan`: from the links and events themselves (the
 * reference the tests compare with). `teams`: a manager's scope; answers about a team outside it are left out (answers without a team, such as
 * journey-level surveys in the app, stay).
 */
export async function touchpointGap(
	target: Db | Storage,
	journeyKey: string,
	q: JourneyQuery,
	options: { teams?: string[] | null; minN?: number; scan?: boolean } = {}
): Promise<TouchpointGap> {
	const minN = options.minN ?? MIN_N;
	const teams = options.teams ?? null;
	const tp = { csat: new Counter(), nps: new Counter() };
	const jl = { csat: new Counter(), nps: new Counter() };
	const byChannel = new Map<string | null, Counter>();
	for (const [tagged, metricName, channel, teamId, score, times] of await answerCounts(
		target,
		journeyKey,
		q,
		options.scan === true
	)) {
		if (teams && teamId !== null && !teams.includes(teamId)) continue;
		const metric = metricName as 'csat' | 'nps';
		const a = { metric, score };
		if (tagged) jl[metric].add(a, times);
		else {
			tp[metric].add(a, times);
			if (metric === 'csat') {
				let c = byChannel.get(channel);
				if (!c) byChannel.set(channel, (c = new Counter()));
				c.add(a, times);
			}
		}
	}
	const csat = (c: Counter) => shareMeasure(c.hits, c.n, minN);
	const nps = (c: Counter) => npsMeasure(c.promoters, c.detractors, c.n, minN);
	const result: TouchpointGap = {
		journey: journeyKey,
		from: new Date(q.from).toISOString(),
		to: new Date(q.to).toISOString(),
		minN,
		touchpoints: {
			csat: csat(tp.csat),
			nps: nps(tp.nps),
			byChannel: [...byChannel.entries()]
				.map(([channel, c]) => ({ channel, csat: csat(c) }))
				.sort((a, b) => b.csat.n - a.csat.n || (a.channel ?? '').localeCompare(b.channel ?? ''))
		},
		journeyLevel: { csat: csat(jl.csat), nps: nps(jl.nps) },
		csatGap: null,
		npsGap: null
	};
	const diff = (a: Measured, b: Measured) =>
		a.value !== null && b.value !== null ? a.value - b.value : null;
	result.csatGap = diff(result.touchpoints.csat, result.journeyLevel.csat);
	result.npsGap = diff(result.touchpoints.nps, result.journeyLevel.nps);
	return result;
}
