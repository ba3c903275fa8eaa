import { expect, test } from '@playwright/test';
import { signedInPage, waitForDemo } from './helpers';

/** Outreach audiences (issue 19): a manager builds one, sees the two groups and the lift; the holdout never leaves. */
test('a manager creates an audience, sees both groups and the interim lift, and cannot export the holdout', async ({
	browser
}) => {
	// The first sign-in waits for the demo to be seeded on a busy machine.
	test.setTimeout(240_000);
	const { context, page } = await signedInPage(browser, 'manager');
	await waitForDemo(page);
	await page.goto('/outreach', { waitUntil: 'networkidle' });
	await expect(page.getByRole('heading', { level: 1, name: 'Outreach audiences' })).toBeVisible();
	await expect(page.getByRole('link', { name: 'Outreach', exact: true })).toBeVisible();

	const form = page.getByTestId('audience-create');
	await form.getByLabel('Name').fill('Detractors to call back');
	await form.getByLabel('Who').selectOption('detractors');
	await form.getByLabel('Detractor answers of the last (days)').fill('30');
	await form.getByLabel('Outcome', { exact: true }).selectOption('not_detractor');
	await form.getByRole('button', { name: 'Create audience' }).click();

	await expect(page).toHaveURL(/\/outreach\/\d+$/);
	const id = page.url().split('/').pop() as string;
	await expect(page.getByRole('heading', { level: 1 })).toContainText('Detractors to call back');
	await expect(page.getByTestId('results-state')).toHaveText('Interim');
	await expect(page.getByTestId('group-treatment')).toBeVisible();
	await expect(page.getByTestId('group-holdout')).toBeVisible();
	await expect(page.getByTestId('lift')).toBeVisible();

	const audience = await (await page.request.get(`/api/v1/audiences/${id}`)).json();
	expect(audience.members).toBe(audience.treatment + audience.holdout);
	expect(audience.teams).toEqual(expect.any(Array));

	const csv = await page.request.get(`/api/v1/audiences/${id}/members?group=treatment&format=csv`);
	expect(csv.status()).toBe(200);
	const lines = (await csv.text()).trim().split(/\r\n/);
	expect(lines[0]).toContain('customerId,audienceId,audienceName');
	expect(lines).toHaveLength(audience.treatment + 1);
	const holdout = await page.request.get(`/api/v1/audiences/${id}/members?group=holdout&format=json`);
	expect(holdout.status()).toBe(403);

	await context.close();

	// In Chinese too.
	const zh = await signedInPage(browser, 'manager', 'zh-CN');
	await zh.page.goto(`/outreach/${id}`);
	await expect(zh.page.getByTestId('results-state')).toHaveText('中期');
	await expect(zh.page.getByTestId('group-treatment')).toContainText('处理组');
	await expect(zh.page.getByRole('link', { name: '主动联络', exact: true })).toBeVisible();
	await zh.context.close();
});
