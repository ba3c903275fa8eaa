import { expect, test, type Browser, type FrameLocator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { SignJWT } from 'jose';
import { E2E_WRITE_KEY, signedInPage, waitForDemo } from './helpers';

/**
 * Signed embeds (issue 18) in a real Chromium: a host page on ANOTHER origin (a tiny server started here) uses
 * /embed.js; a kpis view with a locked team shows that team's numbers; the element's iframe follows its content
 * when it shrinks; an embedded wallboard updates live; revoking the integration stops the embed (next request 401,
 * stream ended); the embed pages pass axe.
 */

const port = Number(process.env.E2E_PORT ?? 4173);
const base = `http://localhost:${port}`;
const hostPort = port + 111;
const hostOrigin = `http://localhost:${hostPort}`;
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let host: Server;
const hostPages = new Map<string, string>();
let integration: { id: string; secret: string };

/**
 * Creates an integration on /admin/embed as an admin would, reading the secret it shows once. (The CLI cannot be
 * used here: each Playwright process re-reads playwright.config.ts, which unlinks the database file the server
 * still holds open, so a CLI would write to a new, empty file.)
 */
async function addIntegration(browser: Browser, name: string): Promise<{ id: string; secret: string }> {
	const { context, page } = await signedInPage(browser, 'admin');
	await page.goto('/admin/embed', { waitUntil: 'networkidle' });
	await page.getByLabel('Name').fill(name);
	await page.getByLabel('Allowed origins').fill(hostOrigin);
	await page.getByRole('button', { name: 'Add an integration' }).click();
	const id = (await page.getByTestId('embed-id').textContent()) ?? '';
	const secret = (await page.getByTestId('embed-secret').textContent()) ?? '';
	await context.close();
	return { id, secret };
}

/** What a bank's server does: a few lines of jose (README "Embedded analytics"). */
async function sign(claims: Record<string, unknown>, who = integration, lifetimeS = 600): Promise<string> {
	const iat = Math.floor(Date.now() / 1000);
	return new SignJWT(claims)
		.setProtectedHeader({ alg: 'HS256', kid: who.id })
		.setIssuer(who.id)
		.setIssuedAt(iat)
		.setExpirationTime(iat + lifetimeS)
		.sign(new TextEncoder().encode(who.secret));
}

function hostPage(path: string, element: string): string {
	hostPages.set(
		path,
		`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bank portal</title>
<script src="${base}/embed.js"></script></head>
<body><main><h1>Bank portal</h1>${element}</main></body></html>`
	);
	return `${hostOrigin}${path}`;
}

test.beforeAll(async ({ browser }: { browser: Browser }) => {
	// The demo's seed takes over a minute on a busy machine.
	test.setTimeout(240_000);
	host = createServer((req, res) => {
		const page = hostPages.get((req.url ?? '/').split('?')[0]);
		res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
		res.end(page ?? 'not found');
	});
	await new Promise<void>((done) => host.listen(hostPort, '127.0.0.1', done));
	const { context, page } = await signedInPage(browser, 'admin');
	await waitForDemo(page);
	await context.close();
	integration = await addIntegration(browser, 'E2E portal');
});

test.afterAll(async () => {
	await new Promise((done) => host.close(done));
});

function frame(page: Page): FrameLocator {
	return page.frameLocator('resonance-embed iframe');
}

test('a host on another origin embeds a kpis view with a locked team and shows that team’s numbers', async ({
	page
}) => {
	// A fixed past week, so the numbers do not move while they are compared.
	const day = (d: number) => new Date(Date.now() + 8 * 3_600_000 - d * 86_400_000).toISOString().slice(0, 10);
	const filters = { team: ['t-cc1'], from: day(8), to: day(1) };
	const token = await sign({ res: { type: 'kpis' }, filters, locale: 'en', sub: 'e2e-viewer' });
	await page.goto(hostPage('/kpis', `<resonance-embed token="${token}"></resonance-embed>`));
	const tiles = frame(page).locator('[data-kpi]');
	await expect(tiles.first()).toBeVisible();
	await expect(tiles).toHaveCount(10);
	await expect(frame(page).getByRole('heading', { level: 1 })).toHaveText('Key indicators');

	// The same period for that team through the signed-in API, and for every team.
	const csv = await (await page.request.get(`${base}/embed/export?token=${token}`)).text();
	const [, first] = csv.split('\n');
	const [, , , , , from, to] = first.split(',');
	const admin = await signedInPage(page.context().browser() as Browser, 'admin');
	const kpis = async (team: string) =>
		(
			await (
				await admin.page.request.get(`/api/v1/kpis?from=${from}&to=${to}${team ? `&team=${team}` : ''}`)
			).json()
		).rows[0].kpis as Record<string, { n: number; value: number | null }>;
	const team = await kpis('t-cc1');
	const all = await kpis('');
	await admin.context.close();
	const csat = frame(page).locator('[data-kpi="csat"]');
	await expect(csat).toHaveAttribute('data-n', String(team.csat.n));
	expect(team.csat.n).toBeLessThan(all.csat.n);
	await expect(frame(page).locator('[data-kpi="nps"]')).toHaveAttribute('data-n', String(team.nps.n));

	// The host's origin framed it; another origin would not be allowed (frame-ancestors), and no cookie is set.
	const answer = await page.request.get(`${base}/embed/kpis?token=${token}`);
	expect(answer.headers()['content-security-policy']).toContain(`frame-ancestors ${hostOrigin}`);
	expect(answer.headers()['set-cookie']).toBeUndefined();
	// A query parameter changing the locked team is refused.
	expect((await page.request.get(`${base}/embed/kpis?token=${token}&team=t-cc2`)).status()).toBe(403);
});

test('the custom element sizes its iframe to the content, growing and shrinking', async ({ page }) => {
	const token = await sign({ res: { type: 'kpis' }, filters: { team: ['t-cc1'] }, locale: 'zh-CN' });
	await page.goto(hostPage('/resize', `<resonance-embed token="${token}"></resonance-embed>`));
	const iframe = page.locator('resonance-embed iframe');
	await expect(frame(page).locator('[data-kpi]').first()).toBeVisible();
	const height = async () => (await iframe.boundingBox())?.height ?? 0;
	await expect.poll(height).toBeGreaterThan(200);
	const grown = await height();
	const content = await frame(page)
		.getByTestId('embed-root')
		.evaluate((el) => Math.ceil(el.getBoundingClientRect().height));
	expect(Math.abs(grown - content)).toBeLessThanOrEqual(2);
	// The content shrinks: the tiles go.
	await frame(page)
		.getByTestId('wallboard-tiles')
		.evaluate((el) => el.remove());
	await expect.poll(height).toBeLessThan(grown - 100);
	await expect(frame(page).getByRole('heading', { level: 1 })).toHaveText('关键指标');
});

test('an embedded wallboard updates live', async ({ page, request }) => {
	const token = await sign({ res: { type: 'wallboard' }, filters: { team: ['t-cc1'] }, locale: 'en' });
	await page.goto(hostPage('/wallboard', `<resonance-embed token="${token}"></resonance-embed>`));
	const tiles = frame(page).getByTestId('wallboard-tiles');
	await expect(frame(page).locator('[data-status]').first()).toHaveAttribute('data-status', 'live', {
		timeout: 15_000
	});
	const before = Number(await tiles.getAttribute('data-at'));
	const sent = await request.post(`${base}/api/v1/events`, {
		headers: { authorization: `Bearer ${E2E_WRITE_KEY}` },
		data: {
			events: [
				{
					id: `embed-live-${Date.now()}`,
					type: 'feedback',
					ts: Date.now(),
					customerId: 'embed-e2e',
					channel: 'phone',
					teamId: 't-cc1',
					metric: 'csat',
					score: 5
				}
			]
		}
	});
	expect(sent.status()).toBe(200);
	await expect
		.poll(async () => Number(await tiles.getAttribute('data-at')), { timeout: 15_000 })
		.toBeGreaterThan(before);
});

test('an embedded trend reloads live when a commit changes its KPI', async ({ page, request }) => {
	const token = await sign({
		res: { type: 'trend', key: 'csat' },
		filters: { team: ['t-cc2'] },
		locale: 'en'
	});
	await page.goto(hostPage('/trend', `<resonance-embed token="${token}"></resonance-embed>`));
	await expect(frame(page).locator('[data-status]').first()).toHaveAttribute('data-status', 'live', {
		timeout: 15_000
	});
	const total = frame(page).getByTestId('trend-total');
	const before = Number(await total.getAttribute('data-n'));
	const sent = await request.post(`${base}/api/v1/events`, {
		headers: { authorization: `Bearer ${E2E_WRITE_KEY}` },
		data: {
			events: [1, 2, 3].map((i) => ({
				id: `embed-trend-${Date.now()}-${i}`,
				type: 'feedback',
				ts: Date.now(),
				customerId: `embed-trend-${i}`,
				channel: 'phone',
				teamId: 't-cc2',
				metric: 'csat',
				score: 4
			}))
		}
	});
	expect(sent.status()).toBe(200);
	// The demo keeps adding answers too: at least our three are in the reloaded total.
	await expect
		.poll(async () => Number(await total.getAttribute('data-n')), { timeout: 15_000 })
		.toBeGreaterThanOrEqual(before + 3);
});

test('a revoked integration’s embed stops: the stream ends and the next request is 401', async ({
	browser,
	page
}) => {
	const own = await addIntegration(browser, 'E2E revoked');
	const token = await sign({ res: { type: 'kpis' }, filters: { team: ['t-cc1'] }, locale: 'en' }, own);
	await page.goto(hostPage('/revoked', `<resonance-embed token="${token}"></resonance-embed>`));
	await expect(frame(page).locator('[data-status]').first()).toHaveAttribute('data-status', 'live', {
		timeout: 15_000
	});

	// The admin revokes it on /admin/embed, where the live viewer is counted.
	const admin = await signedInPage(browser, 'admin');
	await admin.page.goto('/admin/embed');
	const row = admin.page.locator(`tr[data-integration="${own.id}"]`);
	await expect(row.getByTestId('embed-viewers')).not.toHaveText('0');
	await row.getByRole('button', { name: 'Revoke tokens' }).click();
	await expect(row.locator('td').nth(2)).not.toHaveText('—');
	// The views of this test are recorded, per integration and day.
	await expect(admin.page.getByTestId('embed-recent')).toContainText('E2E revoked');
	await admin.context.close();

	await expect(frame(page).getByTestId('embed-ended')).toHaveAttribute('data-reason', 'revoked', {
		timeout: 10_000
	});
	const next = await page.request.get(`${base}/embed/kpis?token=${token}`);
	expect(next.status()).toBe(401);
	expect(await next.text()).not.toContain('data-kpi');
	expect((await page.request.get(`${base}/embed/stream?token=${token}`)).status()).toBe(401);
});

test('embed pages pass axe (light and dark)', async ({ browser }) => {
	const context = await browser.newContext({ bypassCSP: true });
	const page = await context.newPage();
	for (const [theme, path] of [
		['light', 'kpis'],
		['dark', 'wallboard']
	] as const) {
		const token = await sign({ res: { type: path }, filters: { team: ['t-cc1'] }, theme, locale: 'en' });
		await page.goto(`${base}/embed/${path}?token=${token}`);
		await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
		await expect(page.locator('[data-kpi]').first()).toBeVisible();
		await page.addScriptTag({ content: AXE });
		const violations = await page.evaluate(async () => {
			type Axe = { run: () => Promise<{ violations: { id: string; impact: string | null }[] }> };
			return (await (window as unknown as { axe: Axe }).axe.run()).violations
				.filter((v) => v.impact === 'serious' || v.impact === 'critical')
				.map((v) => `${v.id} (${v.impact})`);
		});
		expect(violations, `${theme} ${path}`).toEqual([]);
	}
	// The 401 page too.
	await page.goto(`${base}/embed/kpis?token=nonsense`);
	await expect(page.getByTestId('embed-error')).toHaveAttribute('data-status', '401');
	await context.close();
});
