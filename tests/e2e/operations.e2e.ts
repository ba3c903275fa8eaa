import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startOwnServer, type OwnServer } from './own-server';

// The built server started by this spec itself (not Playwright's webServer), so it can be sent SIGTERM: backup
// under ingestion through the CLI, /metrics and /readyz, then a shutdown under load that must lose no acknowledged
// event. No browser is needed.
const port = Number(process.env.E2E_PORT ?? 4173) + 1;
const base = `http://127.0.0.1:${port}`;
const writeKey = 'rsn_w_operations_e2e_key';
const metricsToken = 'metrics-e2e-token';

let dir: string;
let dbFile: string;
let server: OwnServer;

test.beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'resonance-ops-e2e-'));
	dbFile = join(dir, 'ops.db');
	server = await startOwnServer(port, {
		DATABASE_URL: dbFile,
		RESONANCE_DEMO: '0',
		RESONANCE_WRITE_KEY: writeKey,
		RESONANCE_METRICS_TOKEN: metricsToken,
		RESONANCE_ADMIN_EMAIL: 'ops@bank.example',
		RESONANCE_ADMIN_PASSWORD: 'ops-e2e-password'
	});
});

test.afterAll(async () => {
	await server?.stop('SIGKILL');
	rmSync(dir, { recursive: true, force: true });
});

let counter = 0;
let firstRefusal = '';
/** Posts one batch of 200 events; resolves with their ids when the server acknowledged them (200), else null. */
async function sendBatch(): Promise<{ ids: string[]; ms: number } | null> {
	const now = Date.now();
	const ids = Array.from({ length: 200 }, () => `ops-${++counter}`);
	const events = ids.map((id, i) => ({
		id,
		type: 'feedback',
		ts: new Date(now - 1000 - i).toISOString(),
		customerId: `c-${counter % 3000}-${i}`,
		channel: 'app',
		metric: 'csat',
		score: 1 + (i % 5)
	}));
	const started = performance.now();
	try {
		const r = await fetch(`${base}/api/v1/events`, {
			method: 'POST',
			headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
			body: JSON.stringify({ events })
		});
		if (r.status !== 200) {
			if (!firstRefusal) firstRefusal = `${r.status} ${await r.text()}`;
			return null;
		}
		const body = (await r.json()) as { accepted: number };
		if (body.accepted !== ids.length) throw new Error(`only ${body.accepted} accepted`);
		return { ids, ms: performance.now() - started };
	} catch (error) {
		if (!firstRefusal) firstRefusal = String(error);
		return null;
	}
}

test('backup under ingestion, metrics, and SIGTERM under load lose no acknowledged event', async () => {
	test.setTimeout(120_000);
	const acknowledged: string[] = [];
	const latencies: { at: number; ms: number }[] = [];
	let stop = false;
	let refused = 0;
	const load = async () => {
		while (!stop) {
			const r = await sendBatch();
			if (r) {
				acknowledged.push(...r.ids);
				latencies.push({ at: performance.now(), ms: r.ms });
			} else if (++refused > 2000) return;
		}
	};
	const loops = Array.from({ length: 6 }, load);
	await new Promise((r) => setTimeout(r, 1500));

	// A backup through the CLI while ingestion runs: every event acknowledged before it began is in the copy.
	const before = new Set(acknowledged);
	const backupFile = join(dir, 'backup.db');
	const backupStarted = performance.now();
	// Asynchronously, so this process's load goes on meanwhile.
	const cli = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
		const child = spawn(process.execPath, ['scripts/admin.js', 'backup', '--out', backupFile], {
			env: { ...process.env, DATABASE_URL: dbFile }
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		child.on('exit', (status) => resolve({ status, stdout, stderr }));
	});
	const backupEnded = performance.now();
	expect(cli.status, cli.stderr).toBe(0);
	const copy = new Database(backupFile, { readonly: true });
	const copied = new Set(copy.prepare('SELECT id FROM events').pluck().all() as string[]);
	copy.close();
	expect([...before].filter((id) => !copied.has(id))).toEqual([]);
	const during = latencies.filter((l) => l.at >= backupStarted && l.at <= backupEnded);
	expect(acknowledged.length, firstRefusal).toBeGreaterThan(0);
	expect(during.length).toBeGreaterThan(0);
	console.log(
		`backup: ${cli.stdout.trim()}; ${during.length} batches acknowledged meanwhile, slowest ${Math.round(
			Math.max(...during.map((l) => l.ms))
		)} ms (median before ${Math.round(latencies.map((l) => l.ms).sort((a, b) => a - b)[latencies.length >> 1])} ms)`
	);

	// Metrics for a scraper with the token; parsed properly by the unit test, checked for content here.
	expect((await fetch(`${base}/metrics`)).status).toBe(401);
	const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
	expect(metrics.status).toBe(200);
	expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
	const text = await metrics.text();
	expect(text).toMatch(/^resonance_ingest_events_total\{source="\d+",outcome="accepted"\} [1-9]\d*$/m);
	expect(text).toMatch(/^resonance_ingest_commit_seconds_count\{result="committed"\} [1-9]\d*$/m);
	expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
	expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);

	// SIGTERM under load.
	const acknowledgedBefore = acknowledged.length;
	const exited = server.stop('SIGTERM');
	// Unready (503) while draining, or already closed (connection refused): polled, since a request may still reach
	// the server before the signal does.
	await expect
		.poll(
			() =>
				fetch(`${base}/readyz`).then(
					(r) => (r.status === 503 ? 'unready' : `status ${r.status}`),
					() => 'closed'
				),
			{ timeout: 10_000, intervals: [20] }
		)
		.toMatch(/^(unready|closed)$/);
	const code = await exited;
	stop = true;
	await Promise.all(loops);
	expect(code, server.log()).toBe(0);
	expect(server.log()).toMatch(/SIGTERM: draining/);
	expect(server.log()).toMatch(/writer drained; exiting/);

	const db = new Database(dbFile, { readonly: true });
	const stored = new Set(db.prepare('SELECT id FROM events').pluck().all() as string[]);
	db.close();
	expect(acknowledged.length).toBeGreaterThan(acknowledgedBefore - 1);
	expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
	console.log(`shutdown: ${acknowledged.length} events acknowledged, all stored; ${refused} batches refused`);
});
