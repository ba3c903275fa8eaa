import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { expect, test, type Page } from '@playwright/test';
import { E2E_WRITE_KEY, signedInPage } from './helpers';
import type { SdkRun } from './browser-sdks/page';

/**
 * The three browser SDKs a bank's H5 pages use, unchanged (only their host/URL option set): the real posthog-js,
 * @segment/analytics-next and @rudderstack/analytics-js, bundled now by esbuild into a page served from another
 * origin (127.0.0.1 on a port of its own, Resonance being localhost:E2E_PORT), run in Chromium. Every event is
 * then read back from the server's database, once each, with its fields.
 */

const port = Number(process.env.E2E_PORT ?? 4173);
const api = `http://localhost:${port}`;
const databaseFile = `./.e2e/e2e-${port}.db`;

let pageServer: Server;
let pageOrigin: string;

test.beforeAll(async () => {
	const bundle = await build({
		entryPoints: [join(process.cwd(), 'tests/e2e/browser-sdks/page.ts')],
		bundle: true,
		format: 'iife',
		platform: 'browser',
		target: 'chrome120',
		write: false,
		logLevel: 'silent',
		define: { 'process.env.NODE_ENV': '"production"' }
	});
	const script = bundle.outputFiles[0].text;
	const html = '<!doctype html><meta charset="utf-8"><title>bank H5</title><script src="/sdks.js"></script>';
	pageServer = createServer((req, res) => {
		const js = req.url === '/sdks.js';
		res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html; charset=utf-8' });
		res.end(js ? script : html);
	});
	await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
	pageOrigin = `http://127.0.0.1:${(pageServer.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
	pageServer?.closeAllConnections();
	await new Promise<void>((resolve) => (pageServer ? pageServer.close(() => resolve()) : resolve()));
});

interface StoredRow {
	id: string;
	type: string;
	name: string | null;
	customer_id: string;
	channel: string | null;
	metric: string | null;
	score: number | null;
	text: string | null;
	properties: string;
}

/** The customers' segments (from their identify calls' traits). */
function segmentsOf(customers: string[]): Record<string, string | null> {
	const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
	try {
		const rows = db
			.prepare(`SELECT id, segment FROM customers WHERE id IN (${customers.map(() => '?').join(',')})`)
			.all(...customers) as { id: string; segment: string | null }[];
		return Object.fromEntries(rows.map((r) => [r.id, r.segment]));
	} finally {
		db.close();
	}
}

/** The stored events of these customers, read from the server's own database file (read-only). */
function storedFor(
	customers: string[]
): (Omit<StoredRow, 'properties'> & { properties: Record<string, unknown> })[] {
	const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
	try {
		const rows = db
			.prepare(
				`SELECT id, type, name, customer_id, channel, metric, score, text, properties FROM events
				 WHERE customer_id IN (${customers.map(() => '?').join(',')}) ORDER BY seq`
			)
			.all(...customers) as StoredRow[];
		return rows.map((r) => ({ ...r, properties: JSON.parse(r.properties) }));
	} finally {
		db.close();
	}
}

async function openSdkPage(page: Page) {
	const errors: string[] = [];
	page.on('pageerror', (e) => errors.push(e.message));
	await page.goto(`${pageOrigin}/`);
	await page.waitForFunction(() => 'resonanceSdks' in window);
	return errors;
}

test('posthog-js, analytics-next and RudderStack on a bank page of another origin store every event once', async ({
	browser
}) => {
	test.setTimeout(120_000);
	const run: SdkRun = { api, writeKey: E2E_WRITE_KEY, run: Date.now().toString(36) };
	const admin = await signedInPage(browser, 'admin');

	// Before its origin is allowed, the page's preflight is refused, and the ingestion monitor names the origin.
	const h5 = await browser.newContext();
	const page = await h5.newPage();
	await openSdkPage(page);
	const blocked = await page.evaluate(async (url) => {
		try {
			await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
			return 'sent';
		} catch {
			return 'blocked';
		}
	}, `${api}/e/`);
	expect(blocked).toBe('blocked');
	await admin.page.goto('/admin/ingestion');
	await expect(admin.page.getByTestId('ingest-refused-origin').filter({ hasText: pageOrigin })).toContainText(
		'/e/'
	);

	// The admin allows it on the keys page, from the refused origins offered there.
	await admin.page.goto('/admin/keys');
	await expect(admin.page.getByTestId('origins-explain')).toContainText('CORS');
	const row = admin.page.getByTestId('source-row').filter({ hasText: 'RESONANCE_WRITE_KEY' });
	await row.getByRole('button', { name: `Allow ${pageOrigin}` }).click();
	await expect(row.getByRole('textbox')).toHaveValue(new RegExp(pageOrigin.replace(/\./g, '\\.')));

	// The three SDKs, one after the other, on the same page.
	await page.reload();
	const errors = await openSdkPage(page);
	const requests: { url: string; type: string }[] = [];
	page.on('request', (r) => requests.push({ url: r.url(), type: r.resourceType() }));
	await page.evaluate((r) => window.resonanceSdks.posthog(r), run);
	await page.evaluate((r) => window.resonanceSdks.segment(r), run);
	await page.evaluate((r) => window.resonanceSdks.rudderstack(r), run);
	const customers = [`ph-${run.run}`, `seg-${run.run}`, `rs-${run.run}`];
	// posthog-js's queued events are sent before the last one is captured and the page left at once.
	await expect.poll(() => storedFor([customers[0]]).length, { timeout: 20_000 }).toBe(3);
	const beacons = await page.evaluate((r) => window.resonanceSdks.postHogAtUnload(r), run);
	expect(beacons).toEqual([{ url: expect.stringContaining(`${api}/e/`), queued: true }]);
	await page.goto('about:blank');

	const expected = 4 + 3 + 3;
	await expect.poll(() => storedFor(customers).length, { timeout: 30_000 }).toBe(expected);
	// Retries or doubled sends would show up here: wait a little and count again.
	await page.waitForTimeout(2_000);
	const stored = storedFor(customers);
	expect(stored).toHaveLength(expected);
	expect(new Set(stored.map((e) => e.id)).size).toBe(expected);

	const of = (customer: string) => stored.filter((e) => e.customer_id === customer);
	const [ph, seg, rs] = customers.map(of);
	expect(ph).toEqual(
		expect.arrayContaining([
			expect.objectContaining({ type: 'identify' }),
			expect.objectContaining({
				type: 'journey',
				name: `ph_card_activated_${run.run}`,
				channel: 'app',
				properties: { step: 3 }
			}),
			expect.objectContaining({ type: 'feedback', metric: 'csat', score: 4, text: 'quick', channel: 'app' }),
			expect.objectContaining({ type: 'journey', name: `ph_left_${run.run}`, properties: { step: 4 } })
		])
	);
	expect(seg).toEqual(
		expect.arrayContaining([
			expect.objectContaining({ type: 'identify' }),
			expect.objectContaining({
				type: 'journey',
				name: `seg_loan_applied_${run.run}`,
				properties: expect.objectContaining({ amount: 5000 })
			}),
			expect.objectContaining({ type: 'feedback', metric: 'nps', score: 9 })
		])
	);
	expect(rs).toEqual(
		expect.arrayContaining([
			expect.objectContaining({ type: 'identify' }),
			expect.objectContaining({
				type: 'journey',
				name: `rs_transfer_done_${run.run}`,
				properties: expect.objectContaining({ amount: 200 })
			}),
			expect.objectContaining({ type: 'feedback', metric: 'ces', score: 2 })
		])
	);
	expect(segmentsOf(customers)).toEqual({
		[ph[0].customer_id]: 'mass',
		[seg[0].customer_id]: 'affluent',
		[rs[0].customer_id]: 'private'
	});
	// Library metadata ($lib, $session_id, …) is not stored as properties.
	for (const e of ph) expect(Object.keys(e.properties).filter((k) => k.startsWith('$'))).toEqual([]);

	// What each SDK asked for besides its events, all answered: posthog-js's configuration and RudderStack's.
	const asked = requests
		.map((r) => new URL(r.url))
		.filter((u) => u.origin === api)
		.map((u) => u.pathname);
	expect(asked).toEqual(expect.arrayContaining(['/e/', '/v1/i', '/v1/t', '/sourceConfig/', '/v1/track']));
	expect(requests.filter((r) => !r.url.startsWith(api) && !r.url.startsWith(pageOrigin))).toEqual([]);
	expect(errors).toEqual([]);

	await h5.close();
	await admin.context.close();
});
