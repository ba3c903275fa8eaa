import { json } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { apiError, normalizeApiError } from './api-error';

describe('API errors', () => {
	it('have one shape', async () => {
		const response = apiError(403, 'Not yours', 'forbidden_team');
		expect(response.status).toBe(403);
		expect(await response.json()).toEqual({ error: { code: 'forbidden_team', message: 'Not yours' } });
	});

	it('rewrite SvelteKit’s own error bodies, keep the rest', async () => {
		const rewritten = await normalizeApiError(json({ message: 'Not found' }, { status: 404 }));
		expect(await rewritten.json()).toEqual({ error: { code: 'not_found', message: 'Not found' } });
		const withCode = await normalizeApiError(
			json({ message: 'No', code: 'forbidden_team' }, { status: 403 })
		);
		expect(await withCode.json()).toEqual({ error: { code: 'forbidden_team', message: 'No' } });
		const html = await normalizeApiError(
			new Response('<h1>500</h1>', { status: 500, headers: { 'content-type': 'text/html' } })
		);
		expect((await html.json()).error.code).toBe('internal_error');
		const already = apiError(400, 'Bad', 'bad_request', { field: 'x' });
		expect(await normalizeApiError(already)).toBe(already);
		const ok = json({ fine: true });
		expect(await normalizeApiError(ok)).toBe(ok);
	});
});
