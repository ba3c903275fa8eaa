import { sentimentClass } from '$lib/model';

/**
 * Additive measures: the counts, sums and sums of squares every KPI of the registry is a formula over. Rollup cells
 * hold one vector of them per (hour, cuboid, dimension values); the raw-row path computes the same vector per
 * event with the same `contribution` function, so the two paths cannot disagree on a definition.
 *
 * Operational definitions (README "## KPI definitions" repeats them for readers):
 * - counted contact: a `contact` event that is not a short abandon. Only counted contacts are "contacts" (the
 *   denominator of repeat-contact, complaint and containment rates) and only they take part in repeat/FCR logic.
 * - request for an agent: handledBy = agent, or outcome = abandoned with no handler (abandoned while queued for an
 *   agent). An abandon inside the bot or IVR (handledBy bot/ivr) is not a queue abandon.
 * - short abandon: a request for an agent abandoned after less than 5 s of queue wait (missing wait = 0 s).
 * - offered: requests for an agent minus short abandons (= answered + abandons of 5 s or more).
 * - answered = agent-handled ("handled"): handledBy = agent and outcome ≠ abandoned. A missing queue wait counts
 *   as 0 s (not queued); answered within 20 s means wait ≤ 20 s.
 * - handle time: handleS of answered contacts that report one (talk + hold + after-call work as the source sends it).
 * - transferred: answered with outcome = transferred.
 * - first contact: a counted contact with a reason and no counted contact of the same customer with the same
 *   reason in the 7 days (≤ 604,800 s) before it; resolved when no such contact follows within 7 days.
 * - repeated within 48 h: another counted contact of the same customer (any reason, any channel) follows within
 *   48 h. "Before/after" order events by (ts, seq), so ties are broken by arrival and the result is deterministic.
 * - contained: handledBy bot or IVR, outcome resolved, and not repeated within 48 h.
 * - complaints: `complaint` events; regulator complaints: those with regulator = true (e.g. 12378 referrals).
 * - surveys: nps promoters 9–10 / detractors 0–6; csat top-2-box 4–5; ces top-3-box 5–7.
 * - sentiment: events with a sentiment score; positive > 0.25, negative < −0.25 (scores run −1…1; `sentimentClass`).
 */

export const MEASURES = [
	['contacts', 'contacts'],
	['agentRequests', 'agent_requests'],
	['offered', 'offered'],
	['answered', 'answered'],
	['answered20s', 'answered_20s'],
	['abandoned', 'abandoned'],
	['shortAbandons', 'short_abandons'],
	['handleN', 'handle_n'],
	['handleSum', 'handle_sum'],
	['handleSumsq', 'handle_sumsq'],
	['waitN', 'wait_n'],
	['offeredWaitKnown', 'offered_wait_known'],
	['waitSum', 'wait_sum'],
	['waitSumsq', 'wait_sumsq'],
	['transferred', 'transferred'],
	['firstContacts', 'first_contacts'],
	['firstResolved', 'first_resolved'],
	['repeated48h', 'repeated_48h'],
	['contained', 'contained'],
	['chains', 'chains'],
	['chainsJudged', 'chains_judged'],
	['complaints', 'complaints'],
	['regulatorComplaints', 'regulator_complaints'],
	['unattributedComplaints', 'unattributed_complaints'],
	['npsN', 'nps_n'],
	['npsPromoters', 'nps_promoters'],
	['npsDetractors', 'nps_detractors'],
	['csatN', 'csat_n'],
	['csatTop2', 'csat_top2'],
	['csatSum', 'csat_sum'],
	['csatSumsq', 'csat_sumsq'],
	['cesN', 'ces_n'],
	['cesTop3', 'ces_top3'],
	['cesSum', 'ces_sum'],
	['cesSumsq', 'ces_sumsq'],
	['textsScored', 'texts_scored'],
	['textsPositive', 'texts_positive'],
	['textsNegative', 'texts_negative']
] as const;

export type Measure = (typeof MEASURES)[number][0];
export type Measures = Record<Measure, number>;
/** Measures in MEASURES order, for the hot paths. */
export type MeasureVector = Float64Array;

export const MEASURE_KEYS: readonly Measure[] = MEASURES.map(([key]) => key);
export const MEASURE_COLUMNS: readonly string[] = MEASURES.map(([, column]) => column);
export const MEASURE_COUNT = MEASURES.length;
const INDEX = Object.fromEntries(MEASURE_KEYS.map((key, i) => [key, i])) as Record<Measure, number>;

export function measureIndex(key: Measure): number {
	return INDEX[key];
}

/**
 * Measures in groups that usually change together (contacts; complaints; surveys; texts): a rollup upsert writes
 * only the groups a cell's delta touches.
 */
export const MEASURE_GROUPS: readonly (readonly [number, number])[] = [
	[0, INDEX.complaints],
	[INDEX.complaints, INDEX.npsN],
	[INDEX.npsN, INDEX.textsScored],
	[INDEX.textsScored, MEASURES.length]
];

export function emptyVector(): MeasureVector {
	return new Float64Array(MEASURE_COUNT);
}

export function addInto(target: MeasureVector, source: ArrayLike<number>, sign = 1): void {
	for (let i = 0; i < MEASURE_COUNT; i++) target[i] += sign * source[i];
}

export function toMeasures(vector: ArrayLike<number>): Measures {
	const out = {} as Measures;
	MEASURE_KEYS.forEach((key, i) => (out[key] = vector[i]));
	return out;
}

export function emptyMeasures(): Measures {
	return toMeasures(emptyVector());
}

export function isZero(vector: MeasureVector): boolean {
	for (let i = 0; i < MEASURE_COUNT; i++) if (vector[i] !== 0) return false;
	return true;
}

/** The dimensions KPIs can be filtered and grouped by (DESIGN.md `by`). */
export const DIMENSIONS = ['channel', 'team', 'agent', 'segment', 'journey', 'region', 'reason'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type DimensionValues = Record<Dimension, string | null>;

export const SHORT_ABANDON_S = 5;
export const SERVICE_LEVEL_S = 20;
export const REPEAT_WINDOW_MS = 48 * 3_600_000;
/** Legs of one contact chain: a leg following a transfer (or an IVR/bot leg) within 30 minutes. */
export const CHAIN_GAP_MS = 30 * 60_000;
/** Legs sharing a contact or conversation id join one chain when no further apart than this. */
export const CHAIN_KEY_WINDOW_MS = 24 * 3_600_000;
/** Complaints without a named contact go to the customer's last chain within this many ms before them. */
export const COMPLAINT_ATTRIBUTION_MS = 7 * 86_400_000;
export const FCR_WINDOW_MS = 7 * 86_400_000;
/** How far a survey answer and the contact it names (contactId) may lie apart to be linked. */
export const LINK_WINDOW_MS = 7 * 86_400_000;

/**
 * Measures whose outcome needs a follow-up window (DOMAIN.md "Maturity"): a query counts them only over chains
 * whose window has closed at the moment of the query; `n` is the measure that counts the chains judged.
 */
export const FOLLOW_UP_WINDOWS = [
	{ windowMs: FCR_WINDOW_MS, n: 'firstContacts', measures: ['firstContacts', 'firstResolved'] },
	{ windowMs: REPEAT_WINDOW_MS, n: 'chainsJudged', measures: ['chainsJudged', 'repeated48h', 'contained'] }
] as const satisfies readonly { windowMs: number; n: Measure; measures: readonly Measure[] }[];

/** The fields of one stored event that measures depend on (its own, plus the flags kept on contact rows). */
export interface FactRow {
	type: string;
	handledBy: string | null;
	outcome: string | null;
	waitS: number | null;
	handleS: number | null;
	metric: string | null;
	score: number | null;
	regulator: boolean | null;
	sentiment: number | null;
	firstContact: boolean | null;
	repeatSameReason7d: boolean | null;
	repeat48h: boolean | null;
	/** contact: the last leg of its chain (carries the chain's measures); null on uncounted contacts. */
	chainLast: boolean | null;
	/** contact, last leg: every leg of the chain was handled by a bot or the IVR. */
	chainSelfService: boolean | null;
	/** contact: an agent leg that transferred to another agent or team (the next leg of its chain shows it). */
	transferredToAgent: boolean | null;
	/** complaint: attributed to a team (its own, the contact it names, or the customer's last chain). */
	attributed: boolean | null;
}

export function isRequestForAgent(handledBy: string | null, outcome: string | null): boolean {
	return handledBy === 'agent' || (outcome === 'abandoned' && handledBy === null);
}

export function isShortAbandon(
	handledBy: string | null,
	outcome: string | null,
	waitS: number | null
): boolean {
	return outcome === 'abandoned' && isRequestForAgent(handledBy, outcome) && (waitS ?? 0) < SHORT_ABANDON_S;
}

/** A contact event that counts as a contact (everything but short abandons). */
export function isCountedContact(row: Pick<FactRow, 'type' | 'handledBy' | 'outcome' | 'waitS'>): boolean {
	return row.type === 'contact' && !isShortAbandon(row.handledBy, row.outcome, row.waitS);
}

const M = INDEX;

/**
 * Adds one event's measures to `out` (times `sign`, −1 to take a previous contribution back).
 * Returns false when the event contributes nothing (journey steps, identify events).
 */
export function addContribution(row: FactRow, out: MeasureVector, sign = 1): boolean {
	let any = false;
	if (row.type === 'contact') {
		any = true;
		const request = isRequestForAgent(row.handledBy, row.outcome);
		const abandoned = request && row.outcome === 'abandoned';
		const wait = row.waitS;
		if (request) out[M.agentRequests] += sign;
		if (abandoned && (wait ?? 0) < SHORT_ABANDON_S) {
			out[M.shortAbandons] += sign;
		} else {
			out[M.contacts] += sign;
			if (request) {
				out[M.offered] += sign;
				if (wait !== null) out[M.offeredWaitKnown] += sign;
			}
			if (abandoned) out[M.abandoned] += sign;
			if (row.handledBy === 'agent' && row.outcome !== 'abandoned') {
				out[M.answered] += sign;
				// A missing wait is unknown, not 0 s: left out of ASA and service level.
				if (wait !== null) {
					out[M.waitN] += sign;
					out[M.waitSum] += sign * wait;
					out[M.waitSumsq] += sign * wait * wait;
					if (wait <= SERVICE_LEVEL_S) out[M.answered20s] += sign;
				}
				if (row.handleS !== null) {
					out[M.handleN] += sign;
					out[M.handleSum] += sign * row.handleS;
					out[M.handleSumsq] += sign * row.handleS * row.handleS;
				}
				if (row.outcome === 'transferred' && row.transferredToAgent) out[M.transferred] += sign;
			}
			// Chain measures sit on the chain's last leg (its team, agent, time).
			if (row.chainLast) {
				out[M.chains] += sign;
				out[M.chainsJudged] += sign;
				if (row.firstContact) {
					out[M.firstContacts] += sign;
					if (!row.repeatSameReason7d) out[M.firstResolved] += sign;
				}
				if (row.repeat48h) out[M.repeated48h] += sign;
				if (row.chainSelfService && row.outcome === 'resolved' && !row.repeat48h) out[M.contained] += sign;
			}
		}
	} else if (row.type === 'feedback' && row.score !== null) {
		any = true;
		const s = row.score;
		if (row.metric === 'nps') {
			out[M.npsN] += sign;
			if (s >= 9) out[M.npsPromoters] += sign;
			else if (s <= 6) out[M.npsDetractors] += sign;
		} else if (row.metric === 'csat') {
			out[M.csatN] += sign;
			if (s >= 4) out[M.csatTop2] += sign;
			out[M.csatSum] += sign * s;
			out[M.csatSumsq] += sign * s * s;
		} else if (row.metric === 'ces') {
			out[M.cesN] += sign;
			if (s >= 5) out[M.cesTop3] += sign;
			out[M.cesSum] += sign * s;
			out[M.cesSumsq] += sign * s * s;
		}
	} else if (row.type === 'complaint') {
		any = true;
		out[M.complaints] += sign;
		if (row.regulator) out[M.regulatorComplaints] += sign;
		if (!row.attributed) out[M.unattributedComplaints] += sign;
	}
	if (row.sentiment !== null && contributes(row.type)) {
		any = true;
		out[M.textsScored] += sign;
		const polarity = sentimentClass(row.sentiment);
		if (polarity === 'positive') out[M.textsPositive] += sign;
		else if (polarity === 'negative') out[M.textsNegative] += sign;
	}
	return any;
}

/** Event types that feed measures at all; the others are skipped by rollup maintenance. */
export function contributes(type: string): boolean {
	return type === 'contact' || type === 'feedback' || type === 'complaint';
}
