import { expect, test } from '@playwright/test';
import { E2E_WRITE_KEY, signedInPage } from './helpers';

interface SourceFigures {
	sourceId: number | null;
	name: string | null;
	sinceStart: { requests: number; accepted: number; rejected: number; failedRequests: number };
}

test('an admin sees what a source sent and why an event was rejected', async ({ browser, request }) => {
	const { context, page } = await signedInPage(browser, 'admin');
	// Other tests post with the same key: compare with the figures before this test's posts.
	const before = await page.request.get('/api/v1/ingest/status');
	expect(before.status()).toBe(200);
	const figures = (body: { sources: SourceFigures[] }) =>
		body.sources.find((s) => s.name === 'RESONANCE_WRITE_KEY')?.sinceStart ?? {
			requests: 0,
			accepted: 0,
			rejected: 0,
			failedRequests: 0
		};
	const base = figures(await before.json());

	const id = `e2e-monitor-${Date.now().toString(36)}`;
	const ts = Date.now() - 1000;
	const response = await request.post('/api/v1/events', {
		headers: { authorization: `Bearer ${E2E_WRITE_KEY}` },
		data: {
			events: [
				{ id: `${id}-ok`, type: 'journey', ts, customerId: id, name: 'loss_reported', channel: 'app' },
				{ id: `${id}-bad`, type: 'feedback', ts, customerId: id, channel: 'app', metric: 'nps', score: 11 }
			]
		}
	});
	expect(response.status()).toBe(200);
	expect(await response.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1 }] });
	const refused = await request.post('/api/v1/events', {
		headers: { authorization: 'Bearer rsn_w_no_such_key' },
		data: { events: [] }
	});
	expect(refused.status()).toBe(401);

	await page.goto('/admin/ingestion');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ingestion monitor');
	const row = page.getByTestId('ingest-source').filter({ hasText: 'RESONANCE_WRITE_KEY' });
	const sinceStart = (count: string) => row.locator(`[data-count="${count}"]`).nth(1);
	const en = (n: number) => n.toLocaleString('en-US');
	await expect(sinceStart('requests')).toHaveText(en(base.requests + 1));
	await expect(sinceStart('accepted')).toHaveText(en(base.accepted + 1));
	await expect(sinceStart('rejected')).toHaveText(en(base.rejected + 1));
	// The rejection names the field that was wrong.
	await expect(page.getByTestId('ingest-rejections')).toContainText('events[1].score');
	// The request with an unknown key is counted under "unknown key" and listed as refused (401).
	await expect(page.getByTestId('ingest-source').filter({ hasText: 'Unknown key' })).toBeVisible();
	await expect(page.getByTestId('ingest-failure').filter({ hasText: '401' }).first()).toBeVisible();
	await expect(page.getByTestId('ingest-writer')).toContainText('Transactions committed in the last 60 s');

	// The admin navigation leads here, in Chinese too.
	await page.goto('/admin');
	await page
		.getByRole('navigation', { name: 'Administration sections' })
		.getByRole('link', { name: 'Ingestion monitor' })
		.click();
	await expect(page).toHaveURL(/\/admin\/ingestion$/);
	await context.close();

	const zh = await signedInPage(browser, 'admin', 'zh-CN');
	await zh.page.goto('/admin/ingestion');
	await expect(zh.page.getByRole('heading', { level: 1 })).toHaveText('接入监控');
	await expect(zh.page.getByTestId('ingest-rejections')).toContainText('events[1].score');
	await zh.context.close();
});

test('the ingestion status API is for admins', async ({ browser, request }) => {
	expect((await request.get('/api/v1/ingest/status')).status()).toBe(401);
	const { context, page } = await signedInPage(browser, 'manager');
	expect((await page.request.get('/api/v1/ingest/status')).status()).toBe(403);
	await context.close();
});
