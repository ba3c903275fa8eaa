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

interface HourFigures {
	name: string | null;
	lastHour: { requests: number; accepted: number; duplicates: number; rejected: number };
}

test("an admin sees a source's last hour by minute, updated in place, and a CSV import counted", async ({
	browser,
	request
}) => {
	const { context, page } = await signedInPage(browser, 'admin');
	const lastHour = async () => {
		const body = (await (await page.request.get('/api/v1/ingest/status')).json()) as {
			sources: HourFigures[];
		};
		return (
			body.sources.find((s) => s.name === 'RESONANCE_WRITE_KEY')?.lastHour ?? {
				requests: 0,
				accepted: 0,
				duplicates: 0,
				rejected: 0
			}
		);
	};
	const base = await lastHour();
	const id = `e2e-minutes-${Date.now().toString(36)}`;
	const ts = Date.now() - 1000;
	const auth = { authorization: `Bearer ${E2E_WRITE_KEY}` };
	const batch = (n: number, from = 0) =>
		request.post('/api/v1/events', {
			headers: auth,
			data: {
				events: Array.from({ length: n }, (_, i) => ({
					id: `${id}-${from + i}`,
					type: 'journey',
					ts,
					customerId: id,
					name: 'loss_reported',
					channel: 'app'
				}))
			}
		});
	expect((await batch(3)).status()).toBe(200);
	// A CSV import: two rows stored, one duplicate of the batch, one rejected for its score.
	const iso = new Date(ts).toISOString();
	const csv = [
		'id,ts,customerId,metric,score,channel',
		`${id}-csv-1,${iso},${id},csat,4,app`,
		`${id}-csv-2,${iso},${id},csat,9,app`,
		`${id}-csv-3,${iso},${id},nps,10,app`,
		`${id}-csv-1,${iso},${id},csat,4,app`
	].join('\n');
	const imported = await request.post('/api/v1/import/csv?kind=feedback', {
		headers: { ...auth, 'content-type': 'text/csv' },
		data: csv
	});
	expect(imported.status()).toBe(200);
	expect(await imported.json()).toMatchObject({ accepted: 2, duplicates: 1, rejectedCount: 1 });

	await page.goto('/admin/ingestion');
	const card = page.getByTestId('ingest-minutes');
	await expect(card.getByRole('heading', { level: 2 })).toHaveText('Events per minute, last hour');
	await expect(card.getByTestId('ingest-minutes-summary')).toContainText('Last 60 minutes, All sources:');
	const chart = card.getByRole('img', { name: /per minute over the last hour: All sources/ });
	await expect(chart).toBeVisible();
	const canvas = card.getByTestId('ingest-minutes-chart').locator('canvas').first();
	await expect(canvas).toBeVisible();

	await card.getByLabel('Source', { exact: true }).selectOption({ label: 'RESONANCE_WRITE_KEY' });
	const en = (n: number) => n.toLocaleString('en-US');
	const summary = (accepted: number) =>
		`Last 60 minutes, RESONANCE_WRITE_KEY: ${en(accepted)} accepted, ${en(base.duplicates + 1)} duplicates, ` +
		`${en(base.rejected + 1)} rejected.`;
	await expect(card.getByTestId('ingest-minutes-summary')).toHaveText(summary(base.accepted + 5));
	await expect(card.getByRole('img', { name: /RESONANCE_WRITE_KEY$/ })).toBeVisible();
	// The table of minutes is the chart's text alternative: its minutes add up to the summary.
	await card.getByText('The minutes as a table').click();
	const table = card.getByTestId('ingest-minutes-table');
	await expect(table.locator('tbody tr')).toHaveCount(60);
	const cells = async (kind: string) =>
		(await table.locator(`td[data-count="${kind}"]`).allTextContents()).map((t) =>
			Number(t.replace(/,/g, ''))
		);
	expect((await cells('accepted')).reduce((a, b) => a + b)).toBe(base.accepted + 5);
	expect((await cells('rejected')).filter((n) => n === 0).length).toBeGreaterThanOrEqual(58);

	// The CSV import is one request of the key's source, its row error among the rejections.
	const row = page.getByTestId('ingest-source').filter({ hasText: 'RESONANCE_WRITE_KEY' });
	await expect(row.locator('[data-count="requests"]').first()).toHaveText(en(base.requests + 2));
	const rejection = page.getByTestId('ingest-rejection').filter({ hasText: 'csv import feedback' });
	await expect(rejection.first()).toContainText('rows[2].score');

	// The 5 s refresh redraws the same chart in place (no new canvas: nothing flickers), source kept.
	await canvas.evaluate((element) => element.setAttribute('data-e2e-mark', 'before'));
	expect((await batch(4, 100)).status()).toBe(200);
	await expect(card.getByTestId('ingest-minutes-summary')).toHaveText(summary(base.accepted + 9), {
		timeout: 15_000
	});
	await expect(card.locator('canvas[data-e2e-mark="before"]')).toHaveCount(1);
	await context.close();

	const zh = await signedInPage(browser, 'admin', 'zh-CN');
	await zh.page.goto('/admin/ingestion');
	const zhCard = zh.page.getByTestId('ingest-minutes');
	await expect(zhCard.getByRole('heading', { level: 2 })).toHaveText('每分钟事件数（最近一小时）');
	await expect(zhCard.getByTestId('ingest-minutes-summary')).toContainText('最近 60 分钟，全部接入源：接收');
	await expect(zh.page.getByTestId('ingest-rejections')).toContainText('csv import feedback');
	await zh.context.close();
});

test('the ingestion status API is for admins', async ({ browser, request }) => {
	expect((await request.get('/api/v1/ingest/status')).status()).toBe(401);
	const { context, page } = await signedInPage(browser, 'manager');
	expect((await page.request.get('/api/v1/ingest/status')).status()).toBe(403);
	await context.close();
});
