import { ASSISTED_CHANNELS, DIGITAL_CHANNELS } from '$lib/model';
import type { CompiledJourney, StepMatch } from './definitions';

/**
 * Pure stitching: from one customer's journey step events and interactions, the instances of one journey.
 * The same function serves ingest (incrementally, from a cut), `restitchAll` and the customer timeline, so the
 * three always agree. Events are ordered by (ts, step index, client id): the result does not depend on the order
 * in which events arrived.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Contacts and complaints this long after the end of a journey still belong to it (a call after a decline). */
export const POST_END_GRACE_MS = DAY_MS;
/** An unfinished journey collects contacts for this long after its last step (bounded by its window). */
export const IDLE_GRACE_MS = 7 * DAY_MS;
/** Journey-level surveys (tagged with the journey) arrive after the end: attached up to this long after. */
export const TAGGED_SURVEY_GRACE_MS = 14 * DAY_MS;
/** A contact within this long of a step on the same channel is that step's own interaction, not a detour. */
export const STEP_CONTACT_MS = HOUR_MS;
/** A digital step followed this soon by an assisted channel is failure demand (DOMAIN.md). */
export const SWITCH_WINDOW_MS = DAY_MS;
/** Longest path kept per instance (loops beyond are cut and marked). */
export const MAX_PATH_TOKENS = 24;
/** Steps without a channel (back-office work) carry this channel in paths. */
export const NO_CHANNEL = 'back_office';

export type InstanceStatus = 'in_progress' | 'completed' | 'failed' | 'abandoned';
export const INSTANCE_STATUSES: readonly InstanceStatus[] = [
	'in_progress',
	'completed',
	'failed',
	'abandoned'
];

export interface StepEventRow {
	seq: number;
	id: string;
	ts: number;
	name: string;
	channel: string | null;
	journey: string | null;
	segment: string | null;
	/** JSON text, parsed only when a property decides an end or marks a failed attempt. */
	properties: string | null;
}

export interface InteractionRow {
	seq: number;
	type: 'contact' | 'feedback' | 'complaint';
	ts: number;
	channel: string | null;
	journey: string | null;
	metric: string | null;
	score: number | null;
	teamId: string | null;
}

export interface InstanceDraft {
	startSeq: number;
	startedAt: number;
	lastEventAt: number;
	endedAt: number | null;
	deadline: number;
	attachEnd: number;
	reachEnd: number;
	status: InstanceStatus;
	endEvent: string | null;
	depth: number;
	lastStep: string;
	stepOffsets: string;
	durationS: number;
	stepEvents: number;
	contacts: number;
	feedbacks: number;
	complaints: number;
	channels: string;
	firstChannel: string | null;
	segment: string | null;
	path: string;
	switches: string;
	nps: number | null;
	csat: number | null;
	journeyNps: number | null;
	journeyCsat: number | null;
	stepSeqs: number[];
	/** Attached interactions in time order. */
	interactions: InteractionRow[];
	/** The step events, matched, in time order. */
	steps: MatchedStep[];
}

export interface MatchedStep extends StepEventRow {
	match: StepMatch;
	failedAttempt: boolean;
}

interface Segment {
	steps: MatchedStep[];
	startedAt: number;
	deadline: number;
	endedAt: number | null;
	endEvent: string | null;
	status: InstanceStatus;
	/** Per step: [seconds from start, alternative] when reached in order. */
	reached: ([number, number] | null)[];
	next: number;
}

function parseProperties(text: string | null): Record<string, unknown> {
	if (!text) return {};
	try {
		const value: unknown = JSON.parse(text);
		return value && typeof value === 'object' && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: {};
	} catch {
		return {};
	}
}

const FAILED_WORDS = new Set(['failed', 'failure', 'fail', 'error', 'rejected', 'timeout']);

/** A step attempt that did not succeed (a failed face check): clients say so in a property. */
export function isFailedAttempt(properties: Record<string, unknown>): boolean {
	if (properties.failed === true || properties.success === false) return true;
	for (const key of ['outcome', 'result', 'status']) {
		const v = properties[key];
		if (typeof v === 'string' && FAILED_WORDS.has(v.toLowerCase())) return true;
	}
	return false;
}

/** Canonical order of step events: time, then step position, then the client's id. */
export function compareSteps(a: MatchedStep, b: MatchedStep): number {
	return a.ts - b.ts || a.match.step - b.match.step || (a.id < b.id ? -1 : a.id > b.id ? 1 : a.seq - b.seq);
}

/** Matches and orders the step events of one journey (events tagged with another journey are left out). */
export function matchSteps(journey: CompiledJourney, events: readonly StepEventRow[]): MatchedStep[] {
	const out: MatchedStep[] = [];
	for (const e of events) {
		if (e.journey && e.journey !== journey.key) continue;
		const match = journey.byName.get(e.name);
		if (!match) continue;
		const mayFail =
			e.properties !== null &&
			e.properties.length > 2 &&
			/fail|success|error|reject|timeout/i.test(e.properties);
		out.push({ ...e, match, failedAttempt: mayFail && isFailedAttempt(parseProperties(e.properties)) });
	}
	return out.sort(compareSteps);
}

/** Splits ordered step events into instances: a start step opens one, an end or the time window closes it. */
export function segmentSteps(
	journey: CompiledJourney,
	steps: readonly MatchedStep[],
	now: number
): Segment[] {
	const segments: Segment[] = [];
	let cur: Segment | null = null;
	const close = (s: Segment) => {
		if (s.status === 'in_progress' && s.deadline <= now) s.status = 'abandoned';
		segments.push(s);
	};
	for (const e of steps) {
		if (cur && e.ts >= cur.deadline) {
			close(cur);
			cur = null;
		}
		if (!cur) {
			// A step without an open instance is an orphan (its start may still arrive late).
			if (e.match.step !== 0) continue;
			cur = {
				steps: [],
				startedAt: e.ts,
				deadline: e.ts + journey.windowMs,
				endedAt: null,
				endEvent: null,
				status: 'in_progress',
				reached: journey.stepKeys.map(() => null),
				next: 0
			};
		}
		cur.steps.push(e);
		const s = e.match.step;
		// In-order progress: the next expected step, or a later one when every step between is optional. A failed
		// attempt counts as reaching the step (the customer got there), but never ends the journey.
		if (s >= cur.next) {
			let skippable = true;
			for (let k = cur.next; k < s; k++) if (!journey.optional[k]) skippable = false;
			if (skippable) {
				cur.reached[s] = [Math.round((e.ts - cur.startedAt) / 1000), e.match.alt];
				cur.next = s + 1;
			}
		}
		if (e.failedAttempt) continue;
		const end = journey.endOf(e.match.canonical, () => parseProperties(e.properties));
		if (end !== 0) {
			cur.status = end > 0 ? 'completed' : 'failed';
			cur.endedAt = e.ts;
			cur.endEvent = e.match.canonical;
			close(cur);
			cur = null;
		}
	}
	if (cur) close(cur);
	return segments;
}

interface Ranged {
	startedAt: number;
	attachEnd: number;
	reachEnd: number;
}

function ranges(s: Segment): Ranged {
	const last = s.steps[s.steps.length - 1].ts;
	const attachEnd =
		s.endedAt !== null ? s.endedAt + POST_END_GRACE_MS : Math.min(s.deadline, last + IDLE_GRACE_MS);
	return { startedAt: s.startedAt, attachEnd, reachEnd: attachEnd + TAGGED_SURVEY_GRACE_MS };
}

/**
 * Which instances each interaction belongs to. Contacts, complaints and untagged surveys (touchpoint scores) go
 * to every instance whose range holds them; a survey tagged with this journey (journey-level score) goes to the
 * latest instance that started before it and whose range, plus the survey grace, holds it. Interactions tagged
 * with another journey are left out.
 */
export function attach(
	journeyKey: string,
	instances: readonly Ranged[],
	interactions: readonly InteractionRow[]
): InteractionRow[][] {
	const out: InteractionRow[][] = instances.map(() => []);
	for (const x of interactions) {
		if (x.journey && x.journey !== journeyKey) continue;
		if (x.type === 'feedback' && x.journey === journeyKey) {
			let best = -1;
			instances.forEach((r, i) => {
				if (
					r.startedAt <= x.ts &&
					x.ts <= r.reachEnd &&
					(best < 0 || r.startedAt >= instances[best].startedAt)
				)
					best = i;
			});
			if (best >= 0) out[best].push(x);
			continue;
		}
		instances.forEach((r, i) => {
			if (r.startedAt <= x.ts && x.ts <= r.attachEnd) out[i].push(x);
		});
	}
	for (const list of out) list.sort((a, b) => a.ts - b.ts || a.seq - b.seq);
	return out;
}

interface PathItem {
	ts: number;
	order: number;
	token: string;
	channel: string;
	/** For steps: the canonical event; for interactions: their type. */
	what: string;
	kind: 'step' | 'contact' | 'complaint';
}

/** `channel:event` (`:failed` for a failed attempt); the parts never contain `:` or `|` (see the name rule). */
export function stepToken(channel: string | null, event: string, failed = false): string {
	return `${channel ?? NO_CHANNEL}:${event}${failed ? ':failed' : ''}`;
}

function latest(list: readonly InteractionRow[], metric: string, tagged: boolean | null): number | null {
	for (let i = list.length - 1; i >= 0; i--) {
		const x = list[i];
		if (x.type !== 'feedback' || x.metric !== metric || x.score === null) continue;
		if (tagged !== null && (x.journey !== null) !== tagged) continue;
		return x.score;
	}
	return null;
}

function derive(journey: CompiledJourney, s: Segment, r: Ranged, attached: InteractionRow[]): InstanceDraft {
	const first = s.steps[0];
	const last = s.steps[s.steps.length - 1];
	let depth = 0;
	s.reached.forEach((x, i) => {
		if (x) depth = i + 1;
	});
	const stepOffsets = s.reached.map((x) => (x ? (x[1] ? `${x[0]}/${x[1]}` : String(x[0])) : '')).join(',');

	// Steps and the interactions no step explains, in time order: the path and the channel switches.
	const items: PathItem[] = s.steps.map((e, order) => ({
		ts: e.ts,
		order,
		token: stepToken(e.channel, e.match.canonical, e.failedAttempt),
		channel: e.channel ?? NO_CHANNEL,
		what: e.match.canonical,
		kind: 'step'
	}));
	const used: { ts: number; channel: string | null }[] = s.steps.map((e) => ({
		ts: e.ts,
		channel: e.channel
	}));
	for (const x of attached) {
		if (x.type === 'feedback') continue;
		used.push(x);
		const explained = s.steps.some(
			(e) => e.channel === x.channel && Math.abs(e.ts - x.ts) <= STEP_CONTACT_MS
		);
		if (explained) continue;
		const channel = x.channel ?? NO_CHANNEL;
		items.push({
			ts: x.ts,
			order: items.length,
			token: `${channel}:${x.type}`,
			channel,
			what: x.type,
			kind: x.type
		});
	}
	items.sort(
		(a, b) => a.ts - b.ts || (a.kind === 'step' ? 0 : 1) - (b.kind === 'step' ? 0 : 1) || a.order - b.order
	);
	const channels: string[] = [];
	for (const x of used.sort((a, b) => a.ts - b.ts))
		if (x.channel && !channels.includes(x.channel)) channels.push(x.channel);

	const tokens = items.map((i) => i.token);
	if (tokens.length > MAX_PATH_TOKENS)
		tokens.splice(MAX_PATH_TOKENS - 1, tokens.length, `${NO_CHANNEL}:more`);

	// Failure demand: an unexplained assisted contact, or a step redone on an assisted channel, within 24 h of a
	// digital step; it is put down to the latest such step (the one the customer gave up on).
	const switches = new Set<string>();
	const isDigital = (c: string) => (DIGITAL_CHANNELS as readonly string[]).includes(c);
	const isAssisted = (c: string) => (ASSISTED_CHANNELS as readonly string[]).includes(c);
	items.forEach((x, i) => {
		if (!isAssisted(x.channel)) return;
		for (let j = i - 1; j >= 0; j--) {
			const e = items[j];
			if (x.ts - e.ts > SWITCH_WINDOW_MS) break;
			if (e.kind !== 'step' || !isDigital(e.channel)) continue;
			if (x.kind !== 'step' || x.what === e.what) {
				switches.add(`${e.what}@${e.channel}>${x.channel}`);
				break;
			}
		}
	});

	const journeyNps = latest(attached, 'nps', true);
	const journeyCsat = latest(attached, 'csat', true);
	const count = (type: InteractionRow['type']) => attached.filter((x) => x.type === type).length;
	return {
		startSeq: first.seq,
		startedAt: s.startedAt,
		lastEventAt: last.ts,
		endedAt: s.endedAt,
		deadline: s.deadline,
		attachEnd: r.attachEnd,
		reachEnd: r.reachEnd,
		status: s.status,
		endEvent: s.endEvent,
		depth,
		lastStep: journey.stepKeys[last.match.step],
		stepOffsets,
		durationS: Math.round(((s.endedAt ?? last.ts) - s.startedAt) / 1000),
		stepEvents: s.steps.length,
		contacts: count('contact'),
		feedbacks: count('feedback'),
		complaints: count('complaint'),
		channels: channels.join(','),
		firstChannel: first.channel,
		segment: s.steps.find((e) => e.segment)?.segment ?? null,
		path: `|${tokens.join('|')}|`,
		switches: switches.size ? `,${[...switches].join(',')},` : '',
		nps: journeyNps ?? latest(attached, 'nps', null),
		csat: journeyCsat ?? latest(attached, 'csat', null),
		journeyNps,
		journeyCsat,
		stepSeqs: s.steps.map((e) => e.seq),
		interactions: attached,
		steps: s.steps
	};
}

/**
 * The instances of one journey for one customer. `steps` and `interactions` may come in any order; only events
 * from the cut on need be given when the instances before it are kept (see `stitch.ts`).
 */
export function buildInstances(
	journey: CompiledJourney,
	steps: readonly StepEventRow[],
	interactions: readonly InteractionRow[],
	now: number
): InstanceDraft[] {
	const segments = segmentSteps(journey, matchSteps(journey, steps), now);
	const rs = segments.map(ranges);
	const attached = attach(journey.key, rs, interactions);
	return segments.map((s, i) => derive(journey, s, rs[i], attached[i]));
}

/**
 * A 53-bit hash of a customer id (two FNV-1a passes), so funnels can tell customers apart by an integer.
 * Collisions (≈ n²/2⁵⁴: one in 10¹⁴ pairs) would merge two customers in a count.
 */
export function customerKeyOf(customerId: string): number {
	let a = 0x811c9dc5;
	let b = 0x01000193 ^ 0x5bd1e995;
	for (let i = 0; i < customerId.length; i++) {
		const c = customerId.charCodeAt(i);
		a = Math.imul(a ^ c, 0x01000193);
		b = Math.imul(b ^ c, 0x5bd1e995) ^ (b >>> 15);
	}
	return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** The status an instance reads as at `now` (an open instance past its window is abandoned). */
export function effectiveStatus(status: InstanceStatus, deadline: number, now: number): InstanceStatus {
	return status === 'in_progress' && deadline <= now ? 'abandoned' : status;
}

/** Parses `step_offsets`: per step, [seconds from start, alternative] or null. */
export function parseOffsets(text: string): ([number, number] | null)[] {
	return text.split(',').map((part) => {
		if (part === '') return null;
		const slash = part.indexOf('/');
		return slash < 0 ? [Number(part), 0] : [Number(part.slice(0, slash)), Number(part.slice(slash + 1))];
	});
}
