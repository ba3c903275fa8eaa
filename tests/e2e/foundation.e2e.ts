import { expect, test, type Page } from '@playwright/test';
import { signIn, signedInPage, waitForDemo } from './helpers';

async function storedEvents(page: Page): Promise<number> {
	return Number(await page.getByTestId('events-stored').getAttribute('data-value'));
}

test('healthz answers ok', async ({ request }) => {
	const response = await request.get('/healthz');
	expect(response.status()).toBe(200);
	expect(await response.json()).toEqual({ status: 'ok' });
});

test('the overview renders in Chinese for a Chinese browser and in English for an English one', async ({
	browser
}) => {
	const zh = await signedInPage(browser, 'executive', 'zh-CN');
	await waitForDemo(zh.page);
	await expect(zh.page.locator('html')).toHaveAttribute('lang', 'zh-CN');
	await expect(zh.page.getByRole('heading', { level: 1 })).toHaveText('客服中心概览');
	await expect(zh.page.getByRole('navigation')).toContainText('指标大屏');
	await zh.context.close();

	const en = await signedInPage(browser, 'executive', 'en-US');
	await en.page.goto('/');
	await expect(en.page.locator('html')).toHaveAttribute('lang', 'en');
	await expect(en.page.getByRole('heading', { level: 1 })).toHaveText('Service center overview');
	await expect(en.page.getByRole('navigation')).toContainText('Wallboard');
	await en.context.close();
});

test('the language switch changes the language and remembers it', async ({ browser }) => {
	const { context, page } = await signedInPage(browser, 'researcher', 'zh-CN');
	await page.goto('/', { waitUntil: 'networkidle' });
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('客服中心概览');
	await page.getByTestId('language-switch').click();
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Service center overview');
	await page.goto('/account');
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await context.close();
});

test('the live simulator keeps sending events through the ingestion API', async ({ page }) => {
	await signIn(page, 'executive');
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
