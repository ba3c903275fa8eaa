import type { RequestEvent } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BODY_LIMIT, handleBodyLimit } from './body-limit';

async function post(path: string, body: BodyInit, headers: Record<string, string> = {}) {
	const url = new URL(path, 'http://localhost:3000');
	const request = new Request(url, { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
	let read: number | null = null;
	const response = await handleBodyLimit({
		event: { url, request } as RequestEvent,
		resolve: async (event) => {
			read = (await event.request.arrayBuffer()).byteLength;
			return new Response('handled');
		}
	});
	return { status: response.status, read, text: await response.text() };
}

/** A body of `size` bytes sent in 64 KB chunks with no declared length (chunked transfer). */
function chunked(size: number): ReadableStream<Uint8Array> {
	let sent = 0;
	return new ReadableStream({
		pull(controller) {
			if (sent >= size) return controller.close();
			const n = Math.min(65_536, size - sent);
			sent += n;
			controller.enqueue(new Uint8Array(n).fill(97));
		}
	});
}

describe('body limit on every route', () => {
	it('refuses a form post of 2 MB to /login (413) before the action reads it', async () => {
		const form = `email=a%40b.c&password=${'x'.repeat(2 * 1024 * 1024)}`;
		const result = await post('/login', form, {
			'content-type': 'application/x-www-form-urlencoded',
			'content-length': String(form.length)
		});
		expect(result.status).toBe(413);
		expect(result.read).toBeNull();
	});

	it('stops reading a body without a declared length at the limit', async () => {
		const over = await post('/api/v1/alert-rules', chunked(DEFAULT_BODY_LIMIT + 1), {
			'content-type': 'application/json'
		});
		expect(over.status).toBe(413);
		expect(JSON.parse(over.text).error.code).toBe('payload_too_large');
		const under = await post('/api/v1/alert-rules', chunked(1000), { 'content-type': 'application/json' });
		expect([under.status, under.read]).toEqual([200, 1000]);
	});

	it('leaves ingestion and the CSV import to their own limits', async () => {
		const big = 3 * 1024 * 1024;
		for (const path of ['/api/v1/import/csv?kind=feedback', '/v1/batch', '/api/v1/events']) {
			const result = await post(path, chunked(big), { 'content-type': 'text/csv' });
			expect([path, result.status, result.read]).toEqual([path, 200, big]);
		}
	});
});

describe('the server never lifts the body limit', () => {
	it('npm start and the browser tests leave BODY_SIZE_LIMIT finite', async () => {
		const { readFileSync } = await import('node:fs');
		for (const file of ['scripts/start.js', 'scripts/serve.js', 'playwright.config.ts'])
			expect([file, /BODY_SIZE_LIMIT\W+Infinity/.test(readFileSync(file, 'utf8'))]).toEqual([file, false]);
	});
});
