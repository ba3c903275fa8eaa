import {
	CHANNELS,
	COMPLAINT_SEVERITIES,
	EVENT_TYPES,
	FEEDBACK_METRICS,
	HANDLERS,
	OUTCOMES,
	SCORE_RANGE,
	type FeedbackMetric
} from '$lib/model';
import { foldTextAliases, type NativeEvent } from './schema';

/**
 * The common case of `nativeEventSchema`, checked by hand: an event without `traits` that the schema accepts.
 * Returns what `nativeEventSchema.parse` returns for it (strings trimmed), or null when the event is not plainly
 * valid; the caller then asks the schema, which states the rules and words the messages. It never accepts what the
 * schema rejects (the differential test in fast-validate.test.ts holds it to that). About 6× cheaper than the
 * schema, which is most of the validation step's time at full load.
 */
export function fastNativeEvent(raw: Record<string, unknown>): NativeEvent | null {
	const out: Record<string, unknown> = {};
	for (const field in raw) {
		if (!Object.hasOwn(raw, field)) continue;
		const check = FIELDS[field];
		if (check === undefined) return null;
		const value = raw[field];
		if (value === null || value === undefined) {
			if (REQUIRED.has(field)) return null;
			out[field] = value;
			continue;
		}
		const parsed = check(value);
		if (parsed === INVALID) return null;
		out[field] = parsed;
	}
	// `comment` / `transcript` are other names of `text`: more than one is the schema's to word.
	let texts = 0;
	for (const alias of TEXT_FIELDS) if (out[alias] != null) texts++;
	if (texts > 1) return null;
	const event = foldTextAliases(out as NativeEvent & { comment?: string | null; transcript?: string | null });
	if (event.id == null || event.type == null || event.ts == null || event.customerId == null) return null;
	switch (event.type) {
		case 'journey':
			return event.name == null ? null : event;
		case 'contact':
			return event.channel == null || event.outcome == null ? null : event;
		case 'complaint':
			return event.category == null ? null : event;
		case 'feedback': {
			if (event.metric == null || event.score == null) return null;
			const [lo, hi] = SCORE_RANGE[event.metric as FeedbackMetric];
			return event.score >= lo && event.score <= hi && Number.isInteger(event.score) ? event : null;
		}
		default:
			// identify needs traits, which this fast path leaves to the schema.
			return null;
	}
}

const INVALID = Symbol('invalid');
type Check = (value: unknown) => unknown;

const trimmed =
	(max: number): Check =>
	(v) => {
		if (typeof v !== 'string') return INVALID;
		const s = v.trim();
		return s.length >= 1 && s.length <= max ? s : INVALID;
	};
const oneOf = (values: readonly string[]): Check => {
	const set = new Set<unknown>(values);
	return (v) => (set.has(v) ? v : INVALID);
};
const finite: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : INVALID);
const seconds: Check = (v) =>
	typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 7 * 86_400 ? v : INVALID;
const freeText: Check = (v) => (typeof v === 'string' && v.length <= 30_000 ? v : INVALID);
const TEXT_FIELDS = ['text', 'comment', 'transcript'] as const;
const key = trimmed(256);
const label = trimmed(200);

function properties(v: unknown): unknown {
	if (typeof v !== 'object' || v === null || Array.isArray(v)) return INVALID;
	// The schema's record copies key by key, and a copied "__proto__" would set the prototype: leave it to the schema.
	if (Object.getPrototypeOf(v) !== Object.prototype || Object.hasOwn(v, '__proto__')) return INVALID;
	return { ...v };
}

const FIELDS: Record<string, Check> = Object.assign(Object.create(null) as Record<string, Check>, {
	id: key,
	type: oneOf(EVENT_TYPES),
	ts: (v: unknown) => (typeof v === 'string' || finite(v) !== INVALID ? v : INVALID),
	customerId: key,
	channel: oneOf(CHANNELS),
	name: label,
	journey: label,
	handledBy: oneOf(HANDLERS),
	queue: label,
	agentId: label,
	teamId: label,
	reason: label,
	waitS: seconds,
	handleS: seconds,
	outcome: oneOf(OUTCOMES),
	metric: oneOf(FEEDBACK_METRICS),
	score: finite,
	text: freeText,
	comment: freeText,
	transcript: freeText,
	contactId: label,
	category: label,
	severity: oneOf(COMPLAINT_SEVERITIES),
	regulator: (v: unknown) => (typeof v === 'boolean' ? v : INVALID),
	properties
});

const REQUIRED = new Set(['id', 'type', 'ts', 'customerId']);
