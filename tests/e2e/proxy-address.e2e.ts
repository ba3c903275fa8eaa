import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOwnServer, type OwnServer } from './own-server';

// Issue 16, bullet 6: behind a reverse proxy the client's address comes from ADDRESS_HEADER/XFF_DEPTH (read by
// adapter-node), so the per-address sign-in limit counts real clients, not the proxy. The built server as
// `npm start` runs it (scripts/serve.js), on a port of its own, with the per-address limit at its default of 5.
const port = Number(process.env.E2E_PORT ?? 4173) + 5;
const base = `http://127.0.0.1:${port}`;

let dir: string;
let server: OwnServer;

test.beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'resonance-proxy-e2e-'));
	server = await startOwnServer(port, {
		DATABASE_URL: join(dir, 'proxy.db'),
		RESONANCE_DEMO: '0',
		RESONANCE_ADMIN_EMAIL: 'proxy@bank.example',
		RESONANCE_ADMIN_PASSWORD: 'proxy-e2e-password',
		ADDRESS_HEADER: 'X-Forwarded-For',
		XFF_DEPTH: '1'
	});
});

test.afterAll(async () => {
	await server?.stop('SIGKILL');
	rmSync(dir, { recursive: true, force: true });
});

/** One wrong sign-in for a fresh account, as the proxy forwards it: the client appended to X-Forwarded-For. */
async function wrongSignIn(client: string, n: number): Promise<number> {
	const response = await fetch(`${base}/login`, {
		method: 'POST',
		headers: {
			origin: base,
			// A browser's form post (a non-HTML accept gets the action's JSON answer with status 200).
			accept: 'text/html',
			'content-type': 'application/x-www-form-urlencoded',
			// What a client sent itself (spoofed) comes first; the proxy appends the address it saw.
			'x-forwarded-for': `10.9.9.9, ${client}`
		},
		body: new URLSearchParams({ email: `nobody-${client}-${n}@bank.example`, password: 'wrong' }),
		redirect: 'manual'
	});
	await response.arrayBuffer();
	return response.status;
}

test('the per-address sign-in limit counts the client the proxy names, not the proxy or a spoofed address', async () => {
	// Five failures from one client (each for a different account, so only the address limit can apply) …
	const first: number[] = [];
	for (let i = 0; i < 5; i++) first.push(await wrongSignIn('203.0.113.7', i));
	expect(first).toEqual([400, 400, 400, 400, 400]);
	// … and the sixth from that client is throttled,
	expect(await wrongSignIn('203.0.113.7', 5)).toBe(429);
	// while another client behind the same proxy (same socket address, same spoofed first entry) is not.
	expect(await wrongSignIn('203.0.113.8', 0)).toBe(400);
});
