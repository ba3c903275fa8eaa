import { expect, test, type Browser } from '@playwright/test';
import postgres from 'postgres';
import { spawn, type ChildProcess } from 'node:child_process';
import { startPostgresServer, type PostgresServer } from '../../src/lib/server/testing/postgres-server';

// Scale-out (issue 17): two built servers on one real PostgreSQL. Events are ingested through one; the wallboard
// of the other updates live (LISTEN/NOTIFY); both answer the same KPIs; the same event sent to both is stored once.
const portA = Number(process.env.E2E_PORT ?? 4173) + 2;
const portB = portA + 1;
const writeKey = 'rsn_w_scale_out_e2e_key';
const admin = { email: 'scale@bank.example', password: 'scale-out-e2e-password' };

let pg: PostgresServer;
let url: string;
const servers: { process: ChildProcess; log: string }[] = [];

async function startServer(port: number) {
	const base = `http://127.0.0.1:${port}`;
	const server = { process: null as unknown as ChildProcess, log: '' };
	server.process = spawn(process.execPath, ['scripts/serve.js'], {
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: `http://localhost:${port}`,
			DATABASE_URL: url,
			RESONANCE_DEMO: '0',
			RESONANCE_WRITE_KEY: writeKey,
			RESONANCE_ADMIN_EMAIL: admin.email,
			RESONANCE_ADMIN_PASSWORD: admin.password
		},
		stdio: ['ignore', 'pipe', 'pipe']
	});
	server.process.stdout?.on('data', (d) => (server.log += d));
	server.process.stderr?.on('data', (d) => (server.log += d));
	servers.push(server);
	for (let i = 0; i < 300; i++) {
		if (server.process.exitCode !== null) break;
		const ok = await fetch(`${base}/readyz`).then(
			(r) => r.ok,
			() => false
		);
		if (ok) return;
		await new Promise((r) => setTimeout(r, 200));
	}
	throw new Error(`the server on ${port} did not start:\n${server.log}`);
}

test.beforeAll(async () => {
	test.setTimeout(180_000);
	pg = await startPostgresServer();
	const adminSql = postgres(pg.url, { max: 1, onnotice: () => {} });
	await adminSql.unsafe('CREATE DATABASE resonance');
	await adminSql.end();
	url = pg.url.replace(/\/postgres$/, '/resonance');
	// One after the other: the first migrates, the second finds it migrated (both would be safe: advisory lock).
	await startServer(portA);
	await startServer(portB);
});

test.afterAll(() => {
	for (const s of servers) if (s.process.exitCode === null) s.process.kill('SIGKILL');
	pg?.stop();
});

async function signedIn(browser: Browser, port: number) {
	const context = await browser.newContext({ locale: 'en-US', baseURL: `http://localhost:${port}` });
	const page = await context.newPage();
	const response = await page.request.post('/login', {
		form: admin,
		headers: { origin: `http://localhost:${port}`, accept: 'text/html' },
		maxRedirects: 0
	});
	expect(response.status(), 'sign-in').toBe(303);
	return { context, page };
}

const send = (port: number, events: unknown[]) =>
	fetch(`http://127.0.0.1:${port}/api/v1/events`, {
		method: 'POST',
		headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ events })
	});

test('an event ingested by one process reaches the wallboard of the other live, and both answer the same', async ({
	browser
}) => {
	const { context, page } = await signedIn(browser, portB);
	const region = `pg-${Date.now().toString(36)}`;
	await page.goto(`/wallboard?region=${region}`);
	const csat = page.locator('[data-kpi="csat"]');
	await expect(csat).toHaveAttribute('data-n', '0');
	await expect(page.locator('[data-status]')).toHaveAttribute('data-status', 'live', { timeout: 15_000 });

	const customerId = `pg-customer-${region}`;
	const response = await send(portA, [
		{ id: `${region}-identify`, type: 'identify', ts: Date.now(), customerId, traits: { region } },
		{
			id: `${region}-answer`,
			type: 'feedback',
			ts: Date.now(),
			customerId,
			channel: 'app',
			metric: 'csat',
			score: 5
		}
	]);
	expect(response.status).toBe(200);
	expect((await response.json()).accepted).toBe(2);
	await expect(csat).toHaveAttribute('data-n', '1', { timeout: 5000 });

	// The same question to both processes: the same answer.
	const kpisOf = async (port: number) => {
		const { context: c, page: p } = await signedIn(browser, port);
		const r = await p.request.get(`/api/v1/kpis?range=7d&region=${region}`);
		expect(r.status()).toBe(200);
		const body = (await r.json()) as { rows: unknown[]; path: string };
		await c.close();
		// The period ends "now", which differs by the milliseconds between the two requests; the rows must not.
		expect(body.rows.length).toBeGreaterThan(0);
		return { rows: body.rows, path: body.path };
	};
	expect(await kpisOf(portA)).toEqual(await kpisOf(portB));
	await context.close();
});

test('the same events sent to both processes at once are stored once', async () => {
	const batch = Array.from({ length: 50 }, (_, i) => ({
		id: `twice-${i}`,
		type: 'feedback',
		ts: Date.now() - i * 1000,
		customerId: `twice-c${i % 7}`,
		channel: 'app',
		metric: 'nps',
		score: i % 11
	}));
	const [a, b] = await Promise.all([send(portA, batch), send(portB, batch)]);
	expect(a.status).toBe(200);
	expect(b.status).toBe(200);
	const answers = [await a.json(), await b.json()];
	expect(answers[0].accepted + answers[1].accepted).toBe(50);
	expect(answers[0].duplicates + answers[1].duplicates).toBe(50);
	const sql = postgres(url, { max: 1, onnotice: () => {} });
	try {
		const [{ n }] = await sql`SELECT count(*)::int AS n FROM events WHERE id LIKE 'twice-%'`;
		expect(n).toBe(50);
	} finally {
		await sql.end();
	}
});
