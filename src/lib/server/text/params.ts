import { z } from 'zod';
import { CHANNELS, SEGMENTS } from '$lib/model';
import { defaultPeriod, type CommentQuery } from './queries';
import { TAG_KINDS } from './tags';

/**
 * URL → query of the voice-of-customer reads (API and /voice). Dates as in the KPI API: ISO-8601 with a zone, or
 * YYYY-MM-DD meaning that day's midnight in China time; absent `from`/`to` give the last `days` (default 30) whole
 * days in UTC+8.
 * Filters are single values; `team` may repeat or be comma-separated and is intersected with the caller's scope
 * by the route (restrictTeams).
 */
const instant = z
	.union([z.iso.date(), z.iso.datetime({ offset: true })])
	.transform((s) => (/^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00+08:00`) : Date.parse(s)));
const optionalText = (max: number) =>
	z
		.string()
		.trim()
		.max(max)
		.optional()
		.transform((v) => v || undefined);
const sentimentBound = z.coerce.number().min(-1).max(1).optional();

const paramsSchema = z.object({
	from: instant.optional(),
	to: instant.optional(),
	/** The last n whole days (UTC+8) when `from` is absent, as on the journey screens; default 30. */
	days: z.coerce.number().int().min(1).max(400).optional(),
	segment: z.enum(SEGMENTS).optional(),
	journey: optionalText(64),
	channel: z.enum(CHANNELS).optional(),
	topic: optionalText(32),
	tag: z.enum(TAG_KINDS).optional(),
	rule: optionalText(64),
	term: optionalText(40),
	smin: sentimentBound,
	smax: sentimentBound,
	cursor: z
		.string()
		.regex(/^-?\d+_\d+$/)
		.optional(),
	limit: z.coerce.number().int().min(1).max(200).optional()
});

/** Longest period a request may ask for. */
export const MAX_RANGE_DAYS = 400;

export type TextParams = Omit<CommentQuery, 'teams'> & { requestedTeams: string[] };

export type ParseTextResult =
	{ ok: true; query: TextParams } | { ok: false; parameter: string; message: string };

/** Parses the search parameters; empty values count as absent (a cleared filter in a form). */
export function parseTextParams(search: URLSearchParams, now = Date.now()): ParseTextResult {
	const raw: Record<string, string> = {};
	for (const key of Object.keys(paramsSchema.shape)) {
		const value = search.get(key);
		if (value !== null && value !== '') raw[key] = value;
	}
	const parsed = paramsSchema.safeParse(raw);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const parameter = String(issue?.path[0] ?? 'query');
		return { ok: false, parameter, message: `${parameter}: ${issue?.message ?? 'invalid'}` };
	}
	const p = parsed.data;
	const fallback = defaultPeriod(now, p.days ?? 30);
	const to = p.to ?? fallback.to;
	const from = p.from ?? to - (fallback.to - fallback.from);
	if (!(from < to)) return { ok: false, parameter: 'from', message: 'from: must be before to' };
	if (to - from > MAX_RANGE_DAYS * 86_400_000)
		return { ok: false, parameter: 'from', message: `from: at most ${MAX_RANGE_DAYS} days before to` };
	if (p.smin !== undefined && p.smax !== undefined && p.smin > p.smax)
		return { ok: false, parameter: 'smin', message: 'smin: must not exceed smax' };
	const requestedTeams = search
		.getAll('team')
		.flatMap((t) => t.split(','))
		.map((t) => t.trim())
		.filter(Boolean);
	return {
		ok: true,
		query: {
			from,
			to,
			segment: p.segment ?? null,
			journey: p.journey ?? null,
			channel: p.channel ?? null,
			topic: p.topic ?? null,
			tag: p.tag ?? null,
			rule: p.rule ?? null,
			term: p.term ?? null,
			sentimentMin: p.smin ?? null,
			sentimentMax: p.smax ?? null,
			cursor: p.cursor ?? null,
			limit: p.limit ?? 50,
			requestedTeams
		}
	};
}
