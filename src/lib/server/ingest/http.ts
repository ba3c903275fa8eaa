import { sources } from '$lib/server/db/schema';
import type { WriteKeyIdentity } from '$lib/server/auth/keys';
import { authenticate, checkOrigin, keyFromHeaders } from './authenticate';
import type { IngestContext } from './context';
import {
	bodyKind,
	checkEventSizes,
	decodeText,
	decompress,
	parseJson,
	parseNdjson,
	readBody,
	BROWSER_TYPES,
	JSON_TYPES,
	NDJSON_TYPES,
	type MediaTypes
} from './decode';
import { IngestError, refusal } from './errors';
import { parseNative } from './formats/native';
import { parsePostHog } from './formats/posthog';
import { parseSegment } from './formats/segment';
import type { ParsedBatch } from './formats/types';
import { ingestBatch, type IngestOutcome } from './pipeline';

/** How one wire format is read and answered. */
interface FormatSpec {
	/** The route and format as the ingestion monitor names it. */
	route: string;
	mediaTypes: MediaTypes;
	parse(body: unknown, receivedAt: number): ParsedBatch;
	answer(outcome: IngestOutcome): Record<string, unknown>;
}

function counts(o: IngestOutcome): Record<string, unknown> {
	const answer: Record<string, unknown> = {
		accepted: o.accepted,
		duplicates: o.duplicates,
		rejected: o.rejected
	};
	if (o.ignored.length) answer.ignored = o.ignored;
	return answer;
}

/**
 * RudderStack's Node client labels its gzipped JSON `application/x-www-form-urlencoded`; RudderStack's own
 * server reads it as JSON regardless, so the Segment routes do too (nothing else is form-encoded here).
 */
const SEGMENT_TYPES: MediaTypes = {
	...JSON_TYPES,
	...BROWSER_TYPES,
	'application/x-www-form-urlencoded': 'json'
};

const segmentSpec = (call: string): FormatSpec => ({
	route: `segment /v1/${call.slice(0, 32)}`,
	mediaTypes: SEGMENT_TYPES,
	parse: (body, receivedAt) => parseSegment(body, call, receivedAt),
	answer: (o) => ({ success: true, ...counts(o) })
});

const postHogSpec: FormatSpec = {
	route: 'posthog',
	mediaTypes: { ...JSON_TYPES, ...BROWSER_TYPES },
	parse: parsePostHog,
	// PostHog clients look for `status: 1`.
	answer: (o) => ({ status: 1, ...counts(o) })
};

const nativeSpec: FormatSpec = {
	route: 'native',
	mediaTypes: { ...JSON_TYPES, ...NDJSON_TYPES },
	parse: parseNative,
	answer: counts
};

/** `POST /v1/{batch,track,identify,page,screen,group,alias}`: the Segment HTTP Tracking API. */
export function handleSegment(request: Request, call: string, ctx: IngestContext): Promise<Response> {
	return handle(request, ctx, segmentSpec(call));
}

/** `POST /batch/` and `/capture/`: the PostHog capture API. */
export function handlePostHog(request: Request, ctx: IngestContext): Promise<Response> {
	return handle(request, ctx, postHogSpec);
}

/** `POST /api/v1/events`: the native batch (JSON or NDJSON, Bearer write key). */
export function handleNative(request: Request, ctx: IngestContext): Promise<Response> {
	return handle(request, ctx, nativeSpec);
}

/**
 * Answers a CORS preflight. It carries no key, so the origin is allowed when any source allows it; the POST
 * that follows is checked against its own source's origins.
 */
export function handlePreflight(request: Request, ctx: IngestContext): Response {
	const origin = request.headers.get('origin');
	const headers: Record<string, string> = { vary: 'Origin' };
	if (origin && originAllowedAnywhere(ctx, origin)) {
		Object.assign(headers, corsHeaders(origin), {
			'access-control-allow-methods': 'POST, OPTIONS',
			'access-control-allow-headers': 'Authorization, Content-Type, Content-Encoding',
			'access-control-max-age': '86400'
		});
	}
	return new Response(null, { status: 204, headers });
}

function originAllowedAnywhere(ctx: IngestContext, origin: string): boolean {
	return ctx.db
		.select({ allowed: sources.allowedOrigins })
		.from(sources)
		.all()
		.some(({ allowed }) => allowed.includes(origin) || allowed.includes('*'));
}

function corsHeaders(origin: string | null): Record<string, string> {
	return origin ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
}

async function handle(request: Request, ctx: IngestContext, spec: FormatSpec): Promise<Response> {
	const origin = request.headers.get('origin');
	let cors: Record<string, string> = {};
	// Known once the key is valid (the origin is checked after): the monitor counts what came from whom.
	let sourceId: number | null = null;
	const admit = (identity: WriteKeyIdentity) => {
		sourceId = identity.sourceId;
		checkOrigin(origin, identity);
		cors = corsHeaders(origin);
		return identity;
	};
	const receivedAt = Date.now();
	try {
		// A key in the header is checked before the body is read; one in the body (browser libraries,
		// PostHog) after parsing.
		const headerKey = keyFromHeaders(request.headers);
		let identity = headerKey ? admit(authenticate(ctx.db, headerKey)) : undefined;
		const kind = bodyKind(request.headers, spec.mediaTypes);
		const bytes = await decompress(await readBody(request), request.headers.get('content-encoding'));
		const text = decodeText(bytes);
		const parsed = spec.parse(kind === 'ndjson' ? parseNdjson(text) : parseJson(text), receivedAt);
		identity ??= admit(authenticate(ctx.db, parsed.writeKey));
		checkEventSizes(parsed.messages, bytes.byteLength, parsed.itemPath);
		const rate = identity.rateLimitPerSecond ?? ctx.config.defaultRatePerSecond;
		const decision = ctx.limiter.take(identity.keyId, rate, parsed.items.length, receivedAt);
		if (!decision.ok)
			throw new IngestError(
				429,
				'rate_limited',
				`over ${rate} events a second for this key; retry after ${decision.retryAfterS} s`,
				{ retryAfterSeconds: decision.retryAfterS },
				{ 'retry-after': String(decision.retryAfterS) }
			);
		const outcome = await ingestBatch(ctx, identity.sourceId, parsed, receivedAt);
		ctx.monitor.recordRequest({ sourceId, route: spec.route, at: Date.now(), outcome });
		return jsonResponse(200, spec.answer(outcome), cors);
	} catch (error) {
		ctx.monitor.recordRequest({ sourceId, route: spec.route, at: Date.now(), failure: refusal(error) });
		return errorResponse(error, cors);
	}
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
	return new Response(JSON.stringify(body), {
		status,
		headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }
	});
}

/** `{"error":{"code","message","details"}}` with the error's status; anything unexpected is a logged 500. */
export function errorResponse(error: unknown, headers: Record<string, string> = {}): Response {
	if (error instanceof IngestError)
		return jsonResponse(
			error.status,
			{ error: { code: error.code, message: error.message, details: error.details } },
			{ ...headers, ...error.headers }
		);
	console.error('ingest: unexpected failure', error);
	return jsonResponse(
		500,
		{ error: { code: 'internal', message: 'internal error; the request may be retried', details: null } },
		headers
	);
}
