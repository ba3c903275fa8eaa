import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyBaselineHeaders, baselineHeaders } from './security-headers.js';

/**
 * Static files are served by adapter-node (sirv) before SvelteKit's hooks; scripts/serve.js puts these headers on
 * every response first. A server built the same way (the headers, then a handler that serves a file) shows they
 * reach the client, and that a handler's own header of the same name wins.
 */
let server: Server;
let base = '';
beforeAll(async () => {
	server = createServer((_req, res) => {
		if (_req.url === '/page') res.setHeader('Content-Security-Policy', "default-src 'self'");
		res.setHeader('Content-Type', 'image/svg+xml');
		res.end('<svg xmlns="http://www.w3.org/2000/svg"/>');
	});
	server.prependListener('request', (req, res) => applyBaselineHeaders(req, res, {}));
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const request = (headers: Record<string, string>) => ({ socket: {}, headers }) as unknown as IncomingMessage;

describe('security headers on static files', () => {
	it('puts nosniff, the referrer policy and a CSP on a file served before the hooks', async () => {
		const response = await fetch(`${base}/favicon.svg`);
		expect(response.headers.get('x-content-type-options')).toBe('nosniff');
		expect(response.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
		expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
		expect(response.headers.get('strict-transport-security')).toBeNull();
		const page = await fetch(`${base}/page`);
		expect(page.headers.get('content-security-policy')).toBe("default-src 'self'");
	});

	it('adds HSTS over https: an https ORIGIN, or the proxy’s PROTOCOL_HEADER', () => {
		expect(baselineHeaders(request({}), { ORIGIN: 'https://cx.bank.example' })).toHaveProperty(
			'Strict-Transport-Security',
			'max-age=31536000'
		);
		const proxied = request({ 'x-forwarded-proto': 'https' });
		expect(baselineHeaders(proxied, { PROTOCOL_HEADER: 'x-forwarded-proto' })).toHaveProperty(
			'Strict-Transport-Security'
		);
		expect(baselineHeaders(proxied, { ORIGIN: 'http://localhost:3000' })).not.toHaveProperty(
			'Strict-Transport-Security'
		);
	});
});
