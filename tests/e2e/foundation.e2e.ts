import { expect, test, type Page } from '@playwright/test';

/** Waits until the demo history is in (the overview stops showing the seeding banner). */
async function waitForDemo(page: Page) {
	await expect
		.poll(
			async () => {
				await page.goto('/');
				return page.getByTestId('events-stored').getAttribute('data-value');
			},
			{ timeout: 90_000, intervals: [1000] }
		)
		.not.toBe('0');
}

async function storedEvents(page: Page): Promise<number> {
	return Number(await page.getByTestId('events-stored').getAttribute('data-value'));
}

test('healthz answers ok', async ({ request }) => {
	const response = await request.get('/healthz');
	expect(response.status()).toBe(200);
	expect(await response.json()).toEqual({ status: 'ok' });
});

test('the overview renders in Chinese by default and in English when the browser asks for it', async ({
	browser
}) => {
	const zh = await browser.newContext({ locale: 'zh-CN' });
	const zhPage = await zh.newPage();
	await waitForDemo(zhPage);
	await expect(zhPage.locator('html')).toHaveAttribute('lang', 'zh-CN');
	await expect(zhPage.getByRole('heading', { level: 1 })).toHaveText('客服中心概览');
	await expect(zhPage.getByRole('navigation')).toContainText('指标大屏');
	await zh.close();

	const en = await browser.newContext({ locale: 'en-US' });
	const enPage = await en.newPage();
	await enPage.goto('/');
	await expect(enPage.locator('html')).toHaveAttribute('lang', 'en');
	await expect(enPage.getByRole('heading', { level: 1 })).toHaveText('Service center overview');
	await expect(enPage.getByRole('navigation')).toContainText('Wallboard');
	await en.close();
});

test('the language switch changes the language and remembers it', async ({ browser }) => {
	const context = await browser.newContext({ locale: 'zh-CN' });
	const page = await context.newPage();
	await page.goto('/');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('客服中心概览');
	await page.getByTestId('language-switch').click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Service center overview');
	await page.goto('/wallboard');
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await context.close();
});

test('screens not built yet say so honestly', async ({ page }) => {
	await page.goto('/voice');
	await expect(page.getByTestId('coming-soon')).toBeVisible();
});

test('the live simulator keeps sending events through the ingestion API', async ({ page }) => {
	await waitForDemo(page);
	const before = await storedEvents(page);
	await expect
		.poll(
			async () => {
				await page.goto('/');
				return storedEvents(page);
			},
			{ timeout: 30_000, intervals: [1000] }
		)
		.toBeGreaterThan(before);
});
