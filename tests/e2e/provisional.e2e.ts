import { expect, test } from '@playwright/test';
import { signedInPage, waitForDemo } from './helpers';

/**
 * Maturity (DOMAIN.md, issue 15): FCR needs 7 days and repeat contact and containment 48 h of follow-up, so a
 * period whose chains have not all matured shows its tiles as provisional, on the desk and in TV mode, and the API
 * reports the pending chains. A period that ended more than 7 days ago is final.
 */

const DAY_MS = 86_400_000;
/** A China-time calendar day, `days` before today. */
function chinaDay(days: number): string {
	return new Date(Date.now() + 8 * 3_600_000 - days * DAY_MS).toISOString().slice(0, 10);
}

test.describe.configure({ timeout: 240_000 });

test('a tile whose follow-up window is open shows as provisional; a matured period does not', async ({
	browser
}) => {
	const { context, page } = await signedInPage(browser, 'executive');
	await waitForDemo(page);

	// Today: every first-contact chain is still inside its 7-day window.
	await page.goto('/wallboard');
	const fcr = page.locator('[data-kpi="fcr"]');
	await expect(fcr).toHaveAttribute('data-provisional', 'true');
	await expect(fcr.getByTestId('provisional')).toHaveText(/^Provisional · [\d,]+ pending$/);
	await expect(fcr).toHaveAttribute('title', /Provisional: [\d,]+ contact chains are still inside/);
	// A per-leg KPI has no follow-up window: never provisional.
	await expect(page.locator('[data-kpi="service_level"]')).not.toHaveAttribute('data-provisional', 'true');

	// The last 7 days: a value over the matured chains, still marked provisional.
	await page.goto('/wallboard?range=7d');
	await expect(fcr).toHaveAttribute('data-provisional', 'true');

	// TV mode shows the same mark.
	await page.goto('/wallboard?tv=1');
	await expect(page.locator('[data-kpi="fcr"]')).toHaveAttribute('data-provisional', 'true');

	// Days that ended more than 7 days ago: final, no mark.
	await page.goto(`/wallboard?from=${chinaDay(16)}&to=${chinaDay(9)}`);
	await expect(fcr).not.toHaveAttribute('data-value', '');
	await expect(fcr).not.toHaveAttribute('data-provisional', 'true');
	await expect(fcr.getByTestId('provisional')).toHaveCount(0);

	// The API says why: the chains still pending.
	const to = new Date().toISOString();
	const from = new Date(Date.now() - DAY_MS).toISOString();
	const answer = await page.request.get(`/api/v1/kpis?from=${from}&to=${to}`);
	expect(answer.status()).toBe(200);
	const fcrAnswer = (await answer.json()).rows[0].kpis.fcr;
	expect(fcrAnswer.pending).toBeGreaterThan(0);
	expect(fcrAnswer.n).toBe(0);
	expect(fcrAnswer.value).toBeNull();
	await context.close();
});
