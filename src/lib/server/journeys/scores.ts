import { npsMeasure, shareMeasure, type Measured } from '$lib/server/stats';

/** Score definitions and running counts of NPS and CSAT answers, shared by the journey analyses. */

export const isPromoter = (score: number) => score >= 9;
export const isDetractor = (score: number) => score <= 6;
/** CSAT top-2-box: 4 or 5 on the 1–5 scale. */
export const isSatisfied = (score: number) => score >= 4;

/** Running counts of NPS and CSAT answers, to add up over groups. */
export interface ScoreCounts {
	npsN: number;
	promoters: number;
	detractors: number;
	csatN: number;
	satisfied: number;
}

export function emptyScores(): ScoreCounts {
	return { npsN: 0, promoters: 0, detractors: 0, csatN: 0, satisfied: 0 };
}

export function addScores(into: ScoreCounts, add: ScoreCounts, sign = 1): void {
	into.npsN += sign * add.npsN;
	into.promoters += sign * add.promoters;
	into.detractors += sign * add.detractors;
	into.csatN += sign * add.csatN;
	into.satisfied += sign * add.satisfied;
}

export function scoreMeasures(s: ScoreCounts, minN: number): { nps: Measured; csat: Measured } {
	return {
		nps: npsMeasure(s.promoters, s.detractors, s.npsN, minN),
		csat: shareMeasure(s.satisfied, s.csatN, minN)
	};
}
