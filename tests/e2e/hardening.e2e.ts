import { expect, test } from '@playwright/test';
import { ACCOUNTS, signIn } from './helpers';

/** Issue 16 against the built server as `npm start` runs it (scripts/serve.js): what only a real server shows. */

test('static files carry the security headers that pages and the API carry', async ({ request }) => {
	for (const path of ['/favicon.svg', '/login', '/healthz']) {
		const response = await request.get(path);
		expect(response.status(), path).toBe(200);
		const headers = response.headers();
		expect(headers['x-content-type-options'], path).toBe('nosniff');
		expect(headers['referrer-policy'], path).toBe('strict-origin-when-cross-origin');
		expect(headers['content-security-policy'], path).toMatch(/default-src/);
	}
	// A page's own policy (with its nonces) is the one served, not the static files' one.
	expect((await request.get('/login')).headers()['content-security-policy']).toContain("script-src 'self'");
});

test('a 2 MB form post to /login is refused with 413 before it is read', async ({ request, baseURL }) => {
	const response = await request.post('/login', {
		form: { email: ACCOUNTS.admin.email, password: 'x'.repeat(2 * 1024 * 1024) },
		headers: { origin: new URL(baseURL ?? '').origin },
		maxRedirects: 0
	});
	expect(response.status()).toBe(413);
});

test('redirectTo with a tab between slashes stays on our origin after sign-in', async ({ page, baseURL }) => {
	await signIn(page, 'researcher');
	const response = await page.request.get('/login?redirectTo=%2F%09%2Fevil.example', { maxRedirects: 0 });
	expect(response.status()).toBe(303);
	const location = response.headers()['location'] ?? '';
	expect(new URL(location, baseURL).origin).toBe(new URL(baseURL ?? '').origin);
	expect(location).toBe(ACCOUNTS.researcher.landing);
});
