import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { LIMITS } from './config';
import { badRequest, IngestError, tooLarge } from './errors';

const gunzipAsync = promisify(gunzip);

export type BodyKind = 'json' | 'ndjson';

/** Media types a route accepts, and how each is read. */
export type MediaTypes = Readonly<Record<string, BodyKind>>;

export const JSON_TYPES: MediaTypes = { 'application/json': 'json' };
export const NDJSON_TYPES: MediaTypes = {
	'application/x-ndjson': 'ndjson',
	'application/ndjson': 'ndjson',
	'application/jsonl': 'ndjson'
};
/** Browser libraries post text/plain to avoid a CORS preflight; the body is JSON all the same. */
export const BROWSER_TYPES: MediaTypes = { 'text/plain': 'json' };

/**
 * What the body's Content-Type says it is, among the types this route accepts; a missing type is taken as JSON
 * (some server libraries send none). Anything else: 415, listing what is accepted.
 */
export function bodyKind(headers: Headers, accepted: MediaTypes): BodyKind {
	const raw = headers.get('content-type');
	const type = raw?.split(';')[0].trim().toLowerCase() ?? '';
	const kind = type === '' ? 'json' : accepted[type];
	if (!kind)
		throw new IngestError(415, 'unsupported_media_type', `Content-Type ${raw} is not accepted here`, {
			accepted: Object.keys(accepted)
		});
	return kind;
}

/** Reads the body, refusing (413) as soon as it passes `maxBytes`, without buffering more than that. */
export async function readBody(request: Request, maxBytes = LIMITS.batchBytes): Promise<Uint8Array> {
	const declared = Number(request.headers.get('content-length'));
	if (declared > maxBytes) throw tooLarge(`the body is ${declared} bytes, at most ${maxBytes} a request`);
	if (!request.body) return new Uint8Array(0);
	const chunks: Uint8Array[] = [];
	let size = 0;
	const reader = request.body.getReader();
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > maxBytes) {
			await reader.cancel().catch(() => {});
			throw tooLarge(`the body is over ${maxBytes} bytes, at most ${maxBytes} a request`);
		}
		chunks.push(value);
	}
	return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/** Undoes `Content-Encoding: gzip`; the inflated body is held to the same limit (a small bomb cannot grow). */
export async function decompress(
	bytes: Uint8Array,
	encoding: string | null,
	maxBytes = LIMITS.batchBytes
): Promise<Uint8Array> {
	const e = encoding?.trim().toLowerCase() ?? '';
	if (e === '' || e === 'identity') return bytes;
	if (e !== 'gzip' && e !== 'x-gzip')
		throw new IngestError(415, 'unsupported_media_type', `Content-Encoding ${encoding} is not accepted`, {
			accepted: ['gzip', 'identity']
		});
	try {
		return await gunzipAsync(bytes, { maxOutputLength: maxBytes });
	} catch (error) {
		if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
			throw tooLarge(`the decompressed body is over ${maxBytes} bytes, at most ${maxBytes} a request`);
		throw badRequest(`the body is not valid gzip: ${(error as Error).message}`);
	}
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly: invalid byte sequences are a 400, not silently replaced. */
export function decodeText(bytes: Uint8Array): string {
	try {
		return utf8.decode(bytes);
	} catch {
		throw new IngestError(400, 'invalid_encoding', 'the body is not valid UTF-8');
	}
}

export function parseJson(text: string): unknown {
	if (!text.trim()) throw new IngestError(400, 'invalid_json', 'the body is empty');
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new IngestError(400, 'invalid_json', `the body is not valid JSON: ${(error as Error).message}`);
	}
}

/** NDJSON: one JSON value a line; blank lines are skipped; a malformed line makes the whole body a 400. */
export function parseNdjson(text: string): unknown[] {
	const out: unknown[] = [];
	const lines = text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		const line = lines[i].trim();
		if (!line) continue;
		if (Buffer.byteLength(line) > LIMITS.eventBytes)
			throw tooLarge(
				`line ${i + 1}: over ${LIMITS.eventBytes} bytes, at most ${LIMITS.eventBytes} an event`,
				{
					line: i + 1
				}
			);
		try {
			out.push(JSON.parse(line));
		} catch (error) {
			throw new IngestError(
				400,
				'invalid_json',
				`line ${i + 1} is not valid JSON: ${(error as Error).message}`,
				{
					line: i + 1
				}
			);
		}
	}
	if (!out.length) throw new IngestError(400, 'invalid_json', 'the body has no events');
	return out;
}

/**
 * The 32 KB-an-event limit: only checked when the body could hold such an event at all. An oversized event makes
 * the request a 413 (as Segment does), naming the item. Most events are far below the limit: a cheap upper bound
 * clears them, and only an event the bound cannot clear is serialized to be measured.
 */
export function checkEventSizes(
	items: readonly unknown[],
	bodyBytes: number,
	itemPath: (i: number) => string
) {
	if (bodyBytes <= LIMITS.eventBytes) return;
	items.forEach((item, i) => {
		if (jsonBytesAtMost(item, LIMITS.eventBytes, 0) <= LIMITS.eventBytes) return;
		let size: number;
		try {
			size = Buffer.byteLength(JSON.stringify(item) ?? '');
		} catch {
			throw badRequest(`${itemPath(i) || 'body'}: nested too deeply`);
		}
		if (size > LIMITS.eventBytes)
			throw tooLarge(`${itemPath(i) || 'body'}: ${size} bytes, at most ${LIMITS.eventBytes} an event`, {
				index: i
			});
	});
}

/** Longest JSON text of a number (e.g. -1.7976931348623157e+308). */
const NUMBER_BYTES = 25;
/** Deeper values are left to the exact measure, which also reports nesting too deep to serialize. */
const BOUND_DEPTH = 32;

/**
 * An upper bound of the UTF-8 size of `value`'s JSON text (a value from JSON.parse), or Infinity once it passes
 * `limit` or nests deeper than BOUND_DEPTH. A UTF-16 unit takes at most 6 bytes in JSON (a \u escape), so a string
 * of n units at most 6n + 2.
 */
export function jsonBytesAtMost(value: unknown, limit: number, depth: number): number {
	if (typeof value === 'string') return 6 * value.length + 2;
	if (typeof value === 'number') return NUMBER_BYTES;
	if (typeof value === 'boolean' || value === null) return 5;
	if (typeof value !== 'object' || depth >= BOUND_DEPTH) return Infinity;
	let bytes = 2;
	if (Array.isArray(value)) {
		for (const v of value) {
			bytes += jsonBytesAtMost(v, limit, depth + 1) + 1;
			if (bytes > limit) return Infinity;
		}
		return bytes;
	}
	const record = value as Record<string, unknown>;
	// for…in rather than Object.entries: no array an entry (JSON.parse makes plain objects with own keys only).
	for (const key in record) {
		// "key": value,
		bytes += 6 * key.length + 4 + jsonBytesAtMost(record[key], limit, depth + 1);
		if (bytes > limit) return Infinity;
	}
	return bytes;
}
