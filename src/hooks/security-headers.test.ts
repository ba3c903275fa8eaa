import type { RequestEvent } from '@sveltejs/kit';
import { afterEach, describe, expect, it } from 'vitest';
import { frameAncestorsFrom, handleSecurityHeaders, withFrameAncestors } from './security-headers';

const policy = "default-src 'self'; script-src 'self' 'nonce-abc'; frame-ancestors 'self'";

async function headersFor(path: string, csp?: string) {
	const url = new URL(path, 'http://localhost');
	const response = await handleSecurityHeaders({
		event: { url } as RequestEvent,
		resolve: async () => new Response('ok', { headers: csp ? { 'content-security-policy': csp } : {} })
	});
	return response.headers;
}

afterEach(() => {
	delete process.env.RESONANCE_FRAME_ANCESTORS;
});

describe('security headers', () => {
	it('sets nosniff, the referrer policy and no-store on the API', async () => {
		const api = await headersFor('/api/v1/teams');
		expect(api.get('x-content-type-options')).toBe('nosniff');
		expect(api.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
		expect(api.get('cache-control')).toBe('no-store');
		expect((await headersFor('/wallboard')).get('cache-control')).toBeNull();
	});

	it('keeps the built CSP unless RESONANCE_FRAME_ANCESTORS is set at run time', async () => {
		expect((await headersFor('/wallboard', policy)).get('content-security-policy')).toBe(policy);
		process.env.RESONANCE_FRAME_ANCESTORS = 'self https://intranet.bank.example';
		expect((await headersFor('/wallboard', policy)).get('content-security-policy')).toBe(
			"default-src 'self'; script-src 'self' 'nonce-abc'; frame-ancestors 'self' https://intranet.bank.example"
		);
	});

	it('sends HSTS only over https, and a CSP on answers that are not pages', async () => {
		expect(
			(await headersFor('https://cx.bank.example/wallboard', policy)).get('strict-transport-security')
		).toBe('max-age=31536000');
		expect((await headersFor('/wallboard', policy)).get('strict-transport-security')).toBeNull();
		const api = await headersFor('/api/v1/teams');
		expect(api.get('content-security-policy')).toBe(
			"default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
		);
		expect((await headersFor('/wallboard', policy)).get('content-security-policy')).toBe(policy);
	});

	it('quotes keywords and replaces only the frame-ancestors directive', () => {
		expect(frameAncestorsFrom(undefined)).toBeNull();
		expect(frameAncestorsFrom('  ')).toBeNull();
		expect(frameAncestorsFrom('NONE')).toBe("'none'");
		expect(withFrameAncestors("default-src 'self'", "'none'")).toBe(
			"default-src 'self'; frame-ancestors 'none'"
		);
	});
});
