import type { z } from 'zod';
import { LIMITS } from './config';
import { joinPath, type Candidate, type ParsedBatch } from './formats/types';
import { fastNativeEvent } from './fast-validate';
import { nativeEventSchema, type NativeEvent } from './schema';

/** A valid event, with its time resolved to epoch ms. */
export interface ValidEvent {
	index: number;
	event: NativeEvent;
	ts: number;
}

export interface Rejection {
	index: number;
	errors: string[];
}

/** Deepest nesting accepted in `properties` and `traits` (deeper JSON is a mistake or an attack). */
export const MAX_DEPTH = 16;

// An ISO-8601 date-time that says its time zone, so no server-local guess is needed.
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
/** 2000-01-01: anything earlier is almost surely epoch seconds sent as milliseconds. */
const EARLIEST_MS = 946_684_800_000;

/** Epoch ms of a wire timestamp, or what is wrong with it. */
export function parseTimestamp(value: string | number, now: number): number | string {
	let ms: number;
	if (typeof value === 'number') {
		if (!Number.isFinite(value)) return 'must be a finite number of epoch milliseconds';
		ms = Math.floor(value);
	} else {
		if (!ISO_DATE_TIME.test(value.trim()))
			return 'must be an ISO-8601 date-time with a time zone (e.g. 2025-03-01T09:30:00+08:00) or epoch ms';
		ms = Date.parse(value.trim());
		if (!Number.isFinite(ms)) return 'is not a valid date-time';
	}
	if (ms < 0) return 'must not be negative';
	if (ms < EARLIEST_MS) return 'is before 2000-01-01 (epoch seconds instead of milliseconds?)';
	if (ms > now + LIMITS.futureToleranceMs) return 'is more than 10 minutes in the future';
	return ms;
}

/** Depth of nested objects/arrays, counted without recursion (so hostile depth cannot overflow the stack). */
export function exceedsDepth(value: unknown, limit = MAX_DEPTH): boolean {
	if (typeof value !== 'object' || value === null) return false;
	const stack: [unknown, number][] = [[value, 1]];
	while (stack.length) {
		const [v, depth] = stack.pop()!;
		if (depth > limit) return true;
		for (const child of Object.values(v as object))
			if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
	}
	return false;
}

function message(issue: z.core.$ZodRawIssue): string | undefined {
	switch (issue.code) {
		case 'invalid_type':
			return issue.input === undefined ? 'required' : `must be ${article(issue.expected)}`;
		case 'invalid_value':
			return `must be one of ${issue.values.map(String).join(', ')}`;
		case 'too_small':
			return issue.origin === 'string' ? 'must not be empty' : `must be ≥ ${issue.minimum}`;
		case 'too_big':
			return issue.origin === 'string'
				? `must be at most ${issue.maximum} characters`
				: `must be ≤ ${issue.maximum}`;
		case 'invalid_union':
			return 'has the wrong type';
		default:
			return undefined;
	}
}

function article(expected: string): string {
	if (expected === 'record') return 'an object';
	return expected === 'object' || expected === 'array' ? `an ${expected}` : `a ${expected}`;
}

/**
 * Validates one candidate against the native schema. Messages name the item and the field as the client wrote
 * them, e.g. `events[3].score: must be 0–10 for nps` or `batch[3].properties.score: …`.
 */
export function validateCandidate(
	candidate: Candidate,
	batch: Pick<ParsedBatch, 'itemPath' | 'fieldPath'>,
	now: number
): ValidEvent | Rejection {
	const { index } = candidate;
	if (candidate.errors) return { index, errors: candidate.errors };
	const raw = candidate.event ?? {};
	const base = batch.itemPath(index);
	const where = (path: readonly PropertyKey[]) => {
		const [head, ...rest] = path;
		const field = head === undefined ? '' : batch.fieldPath(String(head), raw);
		return joinPath(base, [field, ...rest.map(String)].filter(Boolean).join('.')) || 'event';
	};
	// The plainly valid common case is checked by hand; the schema judges the rest and words the messages.
	const fast = fastNativeEvent(raw);
	const result = fast
		? ({ success: true, data: fast } as const)
		: nativeEventSchema.safeParse(raw, { error: message });
	const errors: string[] = [];
	if (!result.success) {
		for (const issue of result.error.issues) {
			if (issue.code === 'unrecognized_keys')
				for (const key of issue.keys)
					errors.push(`${where([key])}: unknown field (extra data belongs in properties)`);
			else errors.push(`${where(issue.path)}: ${issue.message}`);
		}
		return { index, errors };
	}
	const event = result.data;
	const ts = parseTimestamp(event.ts, now);
	if (typeof ts === 'string') errors.push(`${where(['ts'])}: ${ts}`);
	if (exceedsDepth(event.properties))
		errors.push(`${where(['properties'])}: nested deeper than ${MAX_DEPTH} levels`);
	if (exceedsDepth(event.traits)) errors.push(`${where(['traits'])}: nested deeper than ${MAX_DEPTH} levels`);
	if (errors.length || typeof ts === 'string') return { index, errors };
	return { index, event, ts };
}

export function isRejection(v: ValidEvent | Rejection): v is Rejection {
	return 'errors' in v;
}
