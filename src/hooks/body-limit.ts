import type { Handle } from '@sveltejs/kit';
import { isIngestionPath } from '$lib/server/ingest/routes';

/** The body limit of forms and JSON APIs (ingestion and the CSV import keep their own, larger or stricter, limits). */
export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/**
 * A body limit on every route. adapter-node's BODY_SIZE_LIMIT is one number for the whole server, so the server
 * entry (scripts/serve.js) sets it to the largest body any route takes (a CSV file), never Infinity; this hook holds
 * every other route to `DEFAULT_BODY_LIMIT` before a handler or form action reads anything: a declared length over
 * it is refused at once (413), and a body without a declared length is read up to the limit, no further.
 * Ingestion routes read their bodies with their own limits (ingest/decode.ts, ingest/csv-import.ts).
 */
export function bodyLimitHandle(limit = DEFAULT_BODY_LIMIT): Handle {
	return async ({ event, resolve }) => {
		const { request, url } = event;
		if (!request.body || isIngestionPath(url.pathname)) return resolve(event);
		const declared = request.headers.get('content-length');
		if (declared !== null) {
			if (Number(declared) > limit) return tooLarge(url, limit);
			return resolve(event);
		}
		const bytes = await readAtMost(request.body, limit);
		if (bytes === null) return tooLarge(url, limit);
		event.request = new Request(request.url, {
			method: request.method,
			headers: request.headers,
			body: bytes,
			signal: request.signal
		});
		return resolve(event);
	};
}

export const handleBodyLimit: Handle = bodyLimitHandle();

/** The whole body, or null (and the stream cancelled) as soon as it passes `limit` bytes. */
async function readAtMost(
	body: ReadableStream<Uint8Array>,
	limit: number
): Promise<Uint8Array<ArrayBuffer> | null> {
	const reader = body.getReader();
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.byteLength;
		if (size > limit) {
			await reader.cancel().catch(() => undefined);
			return null;
		}
		chunks.push(value);
	}
	const out = new Uint8Array(size);
	let offset = 0;
	for (const chunk of chunks) {
		out.set(chunk, offset);
		offset += chunk.byteLength;
	}
	return out;
}

function tooLarge(url: URL, limit: number): Response {
	const message = `The body is over ${limit} bytes, the limit of this route`;
	return url.pathname.startsWith('/api/')
		? Response.json({ error: { code: 'payload_too_large', message } }, { status: 413 })
		: new Response(message, { status: 413, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
