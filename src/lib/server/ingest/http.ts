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
import {
	POSTHOG_NO_FLAGS,
	postHogRemoteConfig,
	postHogRemoteConfigScript,
	rudderSourceConfig,
	unwrapPostHogBody
} from './browser-sdks';
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
	/** A format's own body encoding, undone after any Content-Encoding (posthog-js's gzip-js and base64 forms). */
	unwrap?(bytes: Uint8Array, request: Request): Promise<Uint8Array>;
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
	// posthog-js posts JSON, gzip as text/plain, and base64 in a form (`data=`), by fetch or sendBeacon.
	mediaTypes: { ...JSON_TYPES, ...BROWSER_TYPES, 'application/x-www-form-urlencoded': 'json' },
	parse: parsePostHog,
	unwrap: (bytes, request) =>
		unwrapPostHogBody(bytes, new URL(request.url), request.headers.get('content-type')),
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

/** `POST /batch/`, `/capture/`, `/e/` and `/i/v0/e/`: the PostHog capture API (posthog-js posts to `/e/`). */
export function handlePostHog(request: Request, ctx: IngestContext): Promise<Response> {
	return handle(request, ctx, postHogSpec);
}

/** `POST /api/v1/events`: the native batch (JSON or NDJSON, Bearer write key). */
export function handleNative(request: Request, ctx: IngestContext): Promise<Response> {
	return handle(request, ctx, nativeSpec);
}

/** Request headers browser SDKs send: RudderStack's XHR queue adds its own (`AnonymousId`, `SentAt`, `Rsa-*`). */
const ALLOWED_HEADERS = [
	'Authorization',
	'Content-Type',
	'Content-Encoding',
	'AnonymousId',
	'SentAt',
	'Rsa-Recovered',
	'Rsa-Retry-Attempt',
	'Rsa-Retry-Reason',
	'Rsa-Since-First-Attempt',
	'Rsa-Since-Last-Attempt'
].join(', ');

/**
 * Answers a CORS preflight. It carries no key, so the origin is allowed when any source allows it; the request
 * that follows is checked against its own source's origins. Any other origin is refused (403, no CORS headers,
 * so the browser blocks the request) and shown on the ingestion monitor.
 */
export function handlePreflight(request: Request, ctx: IngestContext): Response {
	const origin = request.headers.get('origin');
	if (origin && !originAllowedAnywhere(ctx, origin)) {
		ctx.monitor.recordRefusedPreflight({ origin, path: new URL(request.url).pathname, at: Date.now() });
		return errorResponse(forbiddenOrigin(origin), { vary: 'Origin' });
	}
	const headers: Record<string, string> = { vary: 'Origin' };
	if (origin)
		Object.assign(headers, corsHeaders(origin), {
			'access-control-allow-methods': 'GET, POST, OPTIONS',
			'access-control-allow-headers': ALLOWED_HEADERS,
			'access-control-max-age': '86400'
		});
	return new Response(null, { status: 204, headers });
}

const forbiddenOrigin = (origin: string) =>
	new IngestError(403, 'forbidden_origin', `origin ${origin} is not allowed by any source`);

function originAllowedAnywhere(ctx: IngestContext, origin: string): boolean {
	return ctx.db
		.select({ allowed: sources.allowedOrigins })
		.from(sources)
		.all()
		.some(({ allowed }) => allowed.includes(origin) || allowed.includes('*'));
}

/**
 * CORS headers for an answer that carries no key (SDK configuration): the origin is allowed when any source
 * allows it; another origin is refused (403).
 */
function keylessCors(request: Request, ctx: IngestContext): Record<string, string> {
	const origin = request.headers.get('origin');
	if (!origin) return {};
	if (!originAllowedAnywhere(ctx, origin)) throw forbiddenOrigin(origin);
	return corsHeaders(origin);
}

/**
 * `/flags/` and `/decide/` (posthog-js asks them for feature flags): no flags, no recording, no surveys, so the
 * SDK settles without an error and does not retry. The body (the person asking) is not read.
 */
export async function handlePostHogFlags(request: Request, ctx: IngestContext): Promise<Response> {
	try {
		const cors = keylessCors(request, ctx);
		await request.body?.cancel();
		return jsonResponse(200, POSTHOG_NO_FLAGS, cors);
	} catch (error) {
		return errorResponse(error, { vary: 'Origin' });
	}
}

/**
 * `/array/<token>/config` and `/array/<token>/config.js`: posthog-js's remote configuration, the same for every
 * token (it says only what Resonance does not do, so the token is not checked here; events are).
 */
export function handlePostHogConfig(
	request: Request,
	token: string,
	script: boolean,
	ctx: IngestContext
): Response {
	try {
		const cors = keylessCors(request, ctx);
		if (!script) return jsonResponse(200, postHogRemoteConfig(token), cors);
		return new Response(postHogRemoteConfigScript(token), {
			status: 200,
			headers: {
				'content-type': 'application/javascript; charset=utf-8',
				'cache-control': 'no-store',
				...cors
			}
		});
	} catch (error) {
		return errorResponse(error, { vary: 'Origin' });
	}
}

/**
 * `GET /sourceConfig/?writeKey=…` (RudderStack analytics-js with `configUrl` pointed here): a source configuration
 * without destinations or plugins. The key comes as Basic auth (the SDK sends it) or the `writeKey` parameter.
 */
export async function handleRudderSourceConfig(request: Request, ctx: IngestContext): Promise<Response> {
	const origin = request.headers.get('origin');
	let cors: Record<string, string> = {};
	let sourceId: number | null = null;
	try {
		const key = keyFromHeaders(request.headers) ?? new URL(request.url).searchParams.get('writeKey');
		const identity = await authenticate(ctx.db, key);
		sourceId = identity.sourceId;
		checkOrigin(origin, identity);
		cors = corsHeaders(origin);
		return jsonResponse(200, rudderSourceConfig(identity), cors);
	} catch (error) {
		ctx.monitor.recordRequest({
			sourceId,
			route: 'rudderstack /sourceConfig',
			at: Date.now(),
			failure: refusal(error)
		});
		return errorResponse(error, cors);
	}
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
		let identity = headerKey ? admit(await authenticate(ctx.db, headerKey)) : undefined;
		const kind = bodyKind(request.headers, spec.mediaTypes);
		let bytes = await decompress(await readBody(request), request.headers.get('content-encoding'));
		if (spec.unwrap) bytes = await spec.unwrap(bytes, request);
		const text = decodeText(bytes);
		const parsed = spec.parse(kind === 'ndjson' ? parseNdjson(text) : parseJson(text), receivedAt);
		identity ??= admit(await authenticate(ctx.db, parsed.writeKey));
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
