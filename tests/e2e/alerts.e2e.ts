import { expect, test, type Page } from '@playwright/test';

/** The demo admin (src/lib/server/auth/demo-accounts.ts); the e2e server runs with RESONANCE_DEMO=1. */
const ADMIN = { email: 'admin@demo.resonance', password: 'demo-admin-2026' };

async function signIn(page: Page) {
	// Wait for hydration, so the form is the enhanced one and typed values are not reset.
	await page.goto('/login', { waitUntil: 'networkidle' });
	await page.getByLabel(/e-mail|邮箱/i).fill(ADMIN.email);
	await page.getByLabel(/^password$|^密码$/i).fill(ADMIN.password);
	await page.getByTestId('login-form').getByRole('button').click();
	await expect(page).toHaveURL('/admin');
}

async function setIncident(page: Page, on: boolean) {
	const response = await page.request.post('/api/v1/demo/incident', { data: { on } });
	expect(response.status()).toBe(200);
}

test.describe('alerts', () => {
	test.describe.configure({ timeout: 240_000 });

	test('switching the incident on raises the risk-word alert in the UI within a minute', async ({
		browser
	}) => {
		const context = await browser.newContext({ locale: 'en-US' });
		const page = await context.newPage();
		await signIn(page);

		// The live simulator starts once the demo history is seeded.
		await expect
			.poll(async () => (await (await page.request.get('/api/v1/demo/incident')).json()).running, {
				timeout: 150_000,
				intervals: [2_000]
			})
			.toBe(true);

		try {
			await page.goto('/alerts');
			await expect(page.getByTestId('alerts-live')).toHaveAttribute('data-live', 'true');
			await expect(page.getByTestId('incident-state')).toHaveAttribute('data-on', 'false');
			const riskWords = page.locator(
				'[data-testid="alert-item"][data-signal="risk_words"][data-status="open"]'
			);
			const before = await riskWords.evaluateAll((items) =>
				items.map((i) => i.getAttribute('data-alert-id'))
			);

			await page.getByTestId('incident-toggle').click();
			await expect(page.getByTestId('incident-state')).toHaveAttribute('data-on', 'true');
			const switchedAt = Date.now();

			// The alert arrives through the alerts stream; the page is never reloaded by the test.
			const fresh = page.locator(
				'[data-testid="alert-item"][data-signal="risk_words"][data-status="open"]' +
					before.map((id) => `:not([data-alert-id="${id}"])`).join('')
			);
			await expect(fresh.first()).toBeVisible({ timeout: 60_000 });
			const seconds = (Date.now() - switchedAt) / 1000;
			console.log(`[alerts e2e] risk-word alert shown ${seconds.toFixed(1)} s after the incident switch`);
			expect(seconds).toBeLessThan(60);
			const id = await fresh.first().getAttribute('data-alert-id');
			const alert = page.locator(`[data-testid="alert-item"][data-alert-id="${id}"]`);
			await expect(alert.getByTestId('alert-text')).toContainText(/risk words/);
			await expect(page.getByTestId('alert-bell-count')).toBeVisible();

			// The admin acknowledges it: who and when are shown.
			await alert.getByTestId('alert-acknowledge').click();
			await expect(alert).toHaveAttribute('data-status', 'acknowledged');
			await expect(alert).toContainText(ADMIN.email);

			// The API says the same.
			const api = await (await page.request.get('/api/v1/alerts?status=acknowledged')).json();
			expect(
				api.alerts.some((a: { details: { signal?: string } }) => a.details.signal === 'risk_words')
			).toBe(true);
		} finally {
			await setIncident(page, false);
			await context.close();
		}
	});

	test('the follow-up queue and its rates are on /cases', async ({ browser }) => {
		const context = await browser.newContext({ locale: 'zh-CN' });
		const page = await context.newPage();
		await signIn(page);
		await page.goto('/cases');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText('回访');
		await expect(page.getByTestId('case-kpis')).toContainText('回访率');
		// The queue is backfilled from the seeded history when the live demo starts.
		await expect
			.poll(
				async () => {
					await page.reload();
					return page.getByTestId('case-row').count();
				},
				{ timeout: 90_000, intervals: [3_000] }
			)
			.toBeGreaterThan(0);
		await context.close();
	});
});
