import { expect, test, type APIRequestContext, type Page } from '@playwright/test';

/**
 * Journey analytics in the browser (issue 6), against the built server with the demo history: the path map of a
 * journey with loops renders, and a breakpoint leads to the customers behind it and on to a customer timeline.
 */

const RESEARCHER = { email: 'researcher@demo.resonance', password: 'demo-researcher-2026' };

async function signIn(page: Page) {
	await page.goto('/login');
	await page.getByLabel(/e-mail|邮箱/i).fill(RESEARCHER.email);
	await page.getByLabel(/^password$|^密码$/i).fill(RESEARCHER.password);
	await page.getByTestId('login-form').getByRole('button').click();
	await expect(page).not.toHaveURL(/\/login/);
}

interface PathMapAnswer {
	total: number;
	nodes: { id: string; position: number; kind: string; event: string | null; channel: string | null }[];
	links: { source: string; target: string; value: number }[];
}

/** A journey whose path map shows a loop: the same step at two positions, one right after the other. */
async function journeyWithLoops(request: APIRequestContext): Promise<{ key: string; map: PathMapAnswer }> {
	const list = (await (await request.get('/api/v1/journeys')).json()) as { journeys: { key: string }[] };
	expect(list.journeys.length).toBeGreaterThanOrEqual(8);
	for (const preferred of ['remote_account_opening', 'complaint', 'password_reset', 'fraud_dispute']) {
		const j = list.journeys.find((x) => x.key === preferred) ?? null;
		if (!j) continue;
		const response = await request.get(`/api/v1/journeys/${j.key}/paths?days=90&top=30&depth=12`);
		expect(response.status()).toBe(200);
		const map = (await response.json()) as PathMapAnswer;
		const byId = new Map(map.nodes.map((n) => [n.id, n]));
		const loop = map.links.some((l) => {
			const s = byId.get(l.source);
			const t = byId.get(l.target);
			return s?.kind === 'step' && t?.kind === 'step' && s.event === t.event;
		});
		if (loop) return { key: j.key, map };
	}
	throw new Error('no demo journey shows a loop in its path map');
}

test('the path map of a journey with loops renders, and a breakpoint leads to a customer timeline', async ({
	browser
}) => {
	const context = await browser.newContext({ locale: 'en-US' });
	const page = await context.newPage();
	await signIn(page);

	// The demo history is seeded in the background; wait until journeys have been stitched.
	await expect
		.poll(
			async () => {
				const r = await page.request.get('/api/v1/journeys/card_acquisition/funnel?days=90');
				return r.ok() ? ((await r.json()) as { steps: { customers: number }[] }).steps[0].customers : 0;
			},
			{ timeout: 120_000, intervals: [2000] }
		)
		.toBeGreaterThan(30);

	const { key, map } = await journeyWithLoops(page.request);
	// Loops never make a cycle: every link goes one position to the right; ends are explicit nodes.
	const position = new Map(map.nodes.map((n) => [n.id, n.position]));
	for (const l of map.links)
		expect(position.get(l.target)).toBeGreaterThan(position.get(l.source) ?? Infinity);
	expect(map.nodes.some((n) => n.kind === 'end')).toBe(true);

	await page.goto('/journeys?days=90');
	await expect(page.getByTestId('journey-list')).toBeVisible();
	await page.getByTestId('journey-list').locator(`tr[data-journey="${key}"] a`).first().click();
	await expect(page).toHaveURL(new RegExp(`/journeys/${key}\\?days=90`));
	const pathMap = page.getByTestId('path-map');
	await expect(pathMap).toBeVisible();
	expect(Number(await pathMap.getAttribute('data-links'))).toBeGreaterThan(0);
	await expect(pathMap.locator('canvas')).toBeVisible();
	await expect(page.getByTestId('funnel-table')).toBeVisible();

	// From the top breakpoint to the customers behind it …
	const breakpoints = page.getByTestId('breakpoints');
	await expect(breakpoints).toBeVisible();
	await breakpoints.getByTestId('breakpoint-customers').first().click();
	await expect(page).toHaveURL(/drill=/);
	const customers = page.getByTestId('affected-customers');
	await expect(customers).toBeVisible();
	const first = customers.getByTestId('customer-link').first();
	const masked = (await first.textContent())?.trim() ?? '';
	expect(masked).toContain('•••');

	// … and on to one customer's timeline, the journey as a lane, the id masked in the heading.
	await first.click();
	await expect(page).toHaveURL(/\/customers\//);
	await expect(page.getByTestId('timeline-heading')).toContainText(masked);
	await expect(page.getByTestId('timeline-lanes').locator(`li[data-journey="${key}"]`).first()).toBeVisible();
	await expect(page.getByTestId('timeline-events').locator('tr[data-type="journey"]').first()).toBeVisible();
	await context.close();
});

test('journey APIs answer errors that name the parameter, and need a session', async ({
	browser,
	request
}) => {
	expect((await request.get('/api/v1/journeys/card_acquisition/funnel')).status()).toBe(401);
	const context = await browser.newContext();
	const page = await context.newPage();
	await signIn(page);
	const bad = await page.request.get('/api/v1/journeys/card_acquisition/funnel?channel=fax');
	expect(bad.status()).toBe(400);
	expect(await bad.json()).toMatchObject({
		error: { code: 'invalid_parameter', details: { parameter: 'channel' } }
	});
	const missing = await page.request.get('/api/v1/journeys/no_such_journey/paths');
	expect(missing.status()).toBe(404);
	const funnel = (await (await page.request.get('/api/v1/journeys/lost_card/funnel?days=30')).json()) as {
		journey: string;
		steps: { step: string; customers: number }[];
	};
	expect(funnel.journey).toBe('lost_card');
	expect(funnel.steps.map((s) => s.step)).toEqual([
		'loss_reported',
		'card_blocked',
		'identity_verified',
		'reissue_requested',
		'new_card_mailed',
		'new_card_activated'
	]);
	await context.close();
});
