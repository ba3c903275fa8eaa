import { describe, expect, it } from 'vitest';
import type { RequestEvent } from '@sveltejs/kit';
import { handleCsrf } from './csrf';

function run(path: string, init: RequestInit) {
	const url = new URL(`http://localhost:3000${path}`);
	const event = { request: new Request(url, init), url } as unknown as RequestEvent;
	return handleCsrf({ event, resolve: async () => new Response('ok') });
}

describe('form CSRF check', () => {
	it('refuses a cross-site form post to a page, and one without an Origin', async () => {
		const form = { 'content-type': 'application/x-www-form-urlencoded' };
		expect(
			(await run('/login', { method: 'POST', headers: { ...form, origin: 'https://evil.example' } })).status
		).toBe(403);
		expect((await run('/admin', { method: 'POST', headers: form, body: 'a=1' })).status).toBe(403);
	});

	it('lets same-origin forms, JSON and ingestion through', async () => {
		const form = { 'content-type': 'application/x-www-form-urlencoded' };
		expect(
			(await run('/login', { method: 'POST', headers: { ...form, origin: 'http://localhost:3000' } })).status
		).toBe(200);
		expect(
			(await run('/v1/batch', { method: 'POST', headers: { 'content-type': 'text/plain' } })).status
		).toBe(200);
		expect((await run('/batch/', { method: 'POST', headers: form })).status).toBe(200);
		expect(
			(await run('/api/v1/alert-rules', { method: 'POST', headers: { 'content-type': 'application/json' } }))
				.status
		).toBe(200);
	});
});
