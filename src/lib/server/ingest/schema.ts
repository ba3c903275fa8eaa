import { z } from 'zod';
import {
	CHANNELS,
	COMPLAINT_SEVERITIES,
	EVENT_TYPES,
	FEEDBACK_METRICS,
	HANDLERS,
	OUTCOMES,
	SCORE_RANGE,
	SEGMENTS
} from '$lib/model';

/**
 * The native event on the wire: exactly the fields of `CxEvent`, with `ts` as an ISO-8601 date-time (with a time
 * zone) or epoch milliseconds. Segment and PostHog messages are mapped to this shape before validation, so one
 * schema states the rules for every format. Optional fields may be null (treated as absent).
 */
const key = z.string().trim().min(1).max(256);
const label = z.string().trim().min(1).max(200).nullish();
const seconds = z
	.number()
	.nonnegative()
	.max(7 * 86_400)
	.nullish();

export const traitsSchema = z.looseObject({
	segment: z.enum(SEGMENTS).nullish(),
	tier: z.string().max(100).nullish(),
	region: z.string().max(100).nullish()
});

/** The names a free-text field may come under: `comment` (feedback) and `transcript` (contact) as in Segment/PostHog. */
export const TEXT_ALIASES = ['comment', 'transcript'] as const;

const freeText = z.string().max(30_000).nullish();

/** The fields of a native event on the wire (the schema below adds the per-type rules and folds the aliases). */
export const nativeEventFields = z.strictObject({
	id: key.describe('The client’s unique id of the event; repeats are stored once.'),
	type: z.enum(EVENT_TYPES),
	ts: z
		.union([z.string(), z.number()])
		.describe('When it happened: ISO-8601 date-time with a time zone, or epoch milliseconds.'),
	customerId: key.describe('Pseudonymous customer id.'),
	channel: z.enum(CHANNELS).nullish(),
	name: label.describe('journey: the step’s event name, e.g. loss_reported.'),
	journey: label,
	handledBy: z.enum(HANDLERS).nullish(),
	queue: label,
	agentId: label,
	teamId: label,
	reason: label,
	waitS: seconds,
	handleS: seconds,
	outcome: z.enum(OUTCOMES).nullish(),
	metric: z.enum(FEEDBACK_METRICS).nullish(),
	score: z.number().nullish().describe('nps 0–10, csat 1–5, ces 1–7 (whole numbers).'),
	text: freeText.describe('Free text (comment, transcript); PII is redacted.'),
	comment: freeText.describe('Another name for text (a feedback comment); stored as text.'),
	transcript: freeText.describe('Another name for text (a contact transcript); stored as text.'),
	contactId: label,
	category: label,
	severity: z.enum(COMPLAINT_SEVERITIES).nullish(),
	regulator: z.boolean().nullish(),
	traits: traitsSchema.nullish(),
	properties: z.record(z.string(), z.unknown()).nullish()
});

export const nativeEventSchema = nativeEventFields
	.superRefine((e, ctx) => {
		const given = (['text', ...TEXT_ALIASES] as const).filter((f) => e[f] != null);
		if (given.length > 1)
			ctx.addIssue({
				code: 'custom',
				path: [given[1]],
				message: `give the free text once (also in ${given[0]})`
			});
		const need = (field: keyof typeof e, why: string) => {
			if (e[field] === undefined || e[field] === null)
				ctx.addIssue({ code: 'custom', path: [field], message: `required for ${why}` });
		};
		switch (e.type) {
			case 'journey':
				need('name', 'journey events');
				break;
			case 'contact':
				need('channel', 'contact events');
				need('outcome', 'contact events');
				break;
			case 'complaint':
				need('category', 'complaint events');
				break;
			case 'identify':
				need('traits', 'identify events');
				break;
			case 'feedback': {
				need('metric', 'feedback events');
				need('score', 'feedback events');
				if (e.metric && typeof e.score === 'number') {
					const [lo, hi] = SCORE_RANGE[e.metric];
					if (e.score < lo || e.score > hi)
						ctx.addIssue({ code: 'custom', path: ['score'], message: `must be ${lo}–${hi} for ${e.metric}` });
					else if (!Number.isInteger(e.score))
						ctx.addIssue({
							code: 'custom',
							path: ['score'],
							message: `must be a whole number for ${e.metric}`
						});
				}
				break;
			}
		}
	})
	.transform(foldTextAliases);

/** `comment` / `transcript` are stored as `text` (at most one of the three is given). */
export function foldTextAliases<
	T extends { text?: string | null; comment?: string | null; transcript?: string | null }
>(e: T): Omit<T, 'comment' | 'transcript'> {
	const { comment, transcript, ...rest } = e;
	if (comment != null) return { ...rest, text: comment };
	if (transcript != null) return { ...rest, text: transcript };
	return rest;
}

export type NativeEvent = z.output<typeof nativeEventSchema>;

/** The native batch body (JSON); NDJSON carries the same events one a line. */
export const nativeBatchSchema = z.object({ events: z.array(nativeEventSchema) });

/** The answer of every ingestion route. */
export const ingestAnswerSchema = z.object({
	accepted: z.number().int(),
	duplicates: z.number().int(),
	rejected: z.array(z.object({ index: z.number().int(), errors: z.array(z.string()) })),
	ignored: z.array(z.object({ index: z.number().int(), reason: z.string() })).optional()
});

export const errorAnswerSchema = z.object({
	error: z.object({ code: z.string(), message: z.string(), details: z.unknown() })
});
