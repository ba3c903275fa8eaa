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

class Counter {
	n = 0;
	hits = 0;
	promoters = 0;
	detractors = 0;
	add(a: Answer) {
		this.n++;
		if (a.metric === 'csat' && isSatisfied(a.score)) this.hits++;
		if (a.metric === 'nps') {
			if (isPromoter(a.score)) this.promoters++;
			if (isDetractor(a.score)) this.detractors++;
		}
	}
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
	const rows = await journeyStore(target).gapAnswers(journeyKey, q, { scan: options.scan });
	// Each answer once, however many instances of the range it is linked to.
	const seen = new Set<number>();
	const answers = rows.filter((a) => !seen.has(a.seq) && seen.add(a.seq));
	const teams = options.teams ?? null;
	const visible = teams ? answers.filter((a) => a.teamId === null || teams.includes(a.teamId)) : answers;

	const tp = { csat: new Counter(), nps: new Counter() };
	const jl = { csat: new Counter(), nps: new Counter() };
	const byChannel = new Map<string | null, Counter>();
	for (const a of visible) {
		const metric = a.metric as 'csat' | 'nps';
		if (a.tagged) jl[metric].add(a);
		else {
			tp[metric].add(a);
			if (metric === 'csat') {
				let c = byChannel.get(a.channel);
				if (!c) byChannel.set(a.channel, (c = new Counter()));
				c.add(a);
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
