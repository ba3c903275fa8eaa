import { expect, test } from '@playwright/test';
import { signedInPage, waitForDemo } from './helpers';

/** The value ledger (issue 20): an executive sees the figures on the demo and drills from the waterfall. */
test('an executive sees the ledger and drills from a waterfall bar to the contacts behind it', async ({
	browser
}) => {
	test.setTimeout(240_000);
	const { context, page } = await signedInPage(browser, 'executive');
	await waitForDemo(page);
	await page.goto('/value?range=30d', { waitUntil: 'networkidle' });
	await expect(page.getByRole('heading', { level: 1, name: 'Value ledger' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Value', exact: true })).toBeVisible();

	// Believable figures from the demo's contacts: a cost, a cost per contact by channel, the waterfall's steps.
	const figures = page.getByTestId('value-figures');
	await expect(figures.locator('[data-figure="cost"] .big')).toContainText('¥');
	const readLedger = async () =>
		(
			await page.request.get(
				'/api/v1/value?from=' + encodeURIComponent(new Date(Date.now() - 30 * 86_400_000).toISOString())
			)
		).json();
	// The demo's first events arrive while it is still seeding; its rollups are built at the end of the seed.
	await expect
		.poll(async () => (await readLedger()).costs.total.value, { timeout: 180_000, intervals: [2000] })
		.toBeGreaterThan(0);
	const ledger = await readLedger();
	await page.reload({ waitUntil: 'networkidle' });
	expect(
		ledger.costs.byChannel.find((c: { channel: string }) => c.channel === 'phone').costPerContact
	).toBeGreaterThan(1);
	expect(ledger.savings.value).toBeGreaterThan(0);
	await expect(page.getByTestId('value-channels').locator('tbody tr[data-channel="phone"]')).toBeVisible();
	await expect(page.getByTestId('value-waterfall').locator('[data-step]')).toHaveCount(6);

	// A click on the first bar (cost of service) opens its contacts in the drill panel.
	const canvas = page.getByTestId('value-waterfall').locator('canvas').first();
	await expect(canvas).toBeVisible();
	const box = await canvas.boundingBox();
	if (!box) throw new Error('no chart');
	const x = box.x + 90 + (box.width - 106) / 12;
	let opened = false;
	for (let y = box.y + 20; y < box.y + box.height - 40 && !opened; y += 6) {
		await page.mouse.click(x, y);
		opened = new URL(page.url()).searchParams.has('drill');
	}
	expect(opened).toBe(true);
	expect(new URL(page.url()).searchParams.get('drill')).toBe('repeat_contact_rate');
	const panel = page.getByTestId('drill-panel');
	await expect(panel).toBeVisible();
	await expect(panel.getByTestId('drill-records').locator('tbody tr').first()).toBeVisible();
	await context.close();

	// In Chinese, and the TV page.
	const zh = await signedInPage(browser, 'executive', 'zh-CN');
	await zh.page.goto('/value');
	await expect(zh.page.getByRole('heading', { level: 1, name: '服务价值账本' })).toBeVisible();
	await zh.page.goto('/value?tv=1');
	await expect(zh.page.getByTestId('value-tv')).toContainText('净价值');
	await zh.context.close();
});
