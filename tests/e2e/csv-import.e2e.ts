import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { parseCsv } from '../../src/lib/components/dashboards/csv';
import { signedInPage } from './helpers';

/** A feedback file whose customer column has a Chinese name no alias knows, with one CSAT score out of range. */
function feedbackCsv(id: string): Buffer {
	const ts = new Date(Date.now() - 60_000).toISOString();
	const lines = [
		'id,ts,客户代码,metric,score,channel',
		`${id}-1,${ts},c-${id}-1,csat,4,app`,
		`${id}-2,${ts},c-${id}-2,csat,9,app`,
		`${id}-3,${ts},c-${id}-3,nps,10,app`,
		`${id}-4,${ts},c-${id}-4,csat,5,phone`
	];
	return Buffer.from(lines.join('\n') + '\n', 'utf8');
}

test('an admin previews a CSV, maps its customer column, imports it with progress, downloads the error report and imports it again as duplicates', async ({
	browser
}) => {
	const id = `csv-${Date.now().toString(36)}`;
	const file = { name: `${id}.csv`, mimeType: 'text/csv', buffer: feedbackCsv(id) };
	const { context, page } = await signedInPage(browser, 'admin');
	await page.goto('/admin/import', { waitUntil: 'networkidle' });
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('CSV import');
	await expect(page.getByRole('link', { name: 'CSV import' })).toHaveAttribute('aria-current', 'page');

	await page.getByLabel('Kind of rows').selectOption('feedback');
	const source = page.getByLabel('Source', { exact: true });
	await source.selectOption({ index: 0 });
	await page.getByLabel('CSV file').setInputFiles(file);

	// The preview: 客户代码 is kept in properties until mapped, so every row lacks its customer.
	const mapping = page.getByTestId('import-mapping');
	const customer = mapping.getByLabel('客户代码');
	await expect(customer).toHaveValue('properties');
	await expect(mapping.getByLabel('score')).toHaveValue('score');
	const rows = page.getByTestId('import-preview-rows');
	await expect(rows.locator('tbody tr')).toHaveCount(4);
	await expect(rows.locator('tr[data-row="1"]').getByTestId('preview-row-errors')).toContainText(
		'rows[1].customerId'
	);

	// Mapped: rows are read as they will be stored, and row 2's score is refused, naming the field.
	await customer.selectOption('customerId');
	await expect(rows.locator('tr[data-row="1"]').getByTestId('preview-row-errors')).toHaveCount(0);
	await expect(rows.locator('tr[data-row="1"]')).toContainText('customerId');
	await expect(rows.locator('tr[data-row="2"]').getByTestId('preview-row-errors')).toContainText(
		'rows[2].score'
	);
	await expect(customer).toHaveValue('customerId');

	// The import: the progress bar reaches the file's size, then the counts.
	await page.getByRole('button', { name: 'Import', exact: true }).click();
	const result = page.getByTestId('import-result');
	await expect(result.getByTestId('import-accepted')).toHaveText('3');
	await expect(result.getByTestId('import-duplicates')).toHaveText('0');
	await expect(result.getByTestId('import-rejected')).toHaveText('1');
	await expect(result).toContainText('Importing the same file again is safe');
	const progress = page.getByLabel('Upload progress');
	await expect(progress).toHaveAttribute('value', String(file.buffer.byteLength));
	await expect(progress).toHaveAttribute('max', String(file.buffer.byteLength));
	await expect(page.getByTestId('import-sent')).toContainText('100%');

	const [download] = await Promise.all([
		page.waitForEvent('download'),
		result.getByRole('button', { name: 'Download error report (CSV)' }).click()
	]);
	const report = parseCsv(readFileSync((await download.path()) ?? '', 'utf8'));
	expect(report[0]).toEqual(['row', 'errors']);
	expect(report).toHaveLength(2);
	expect(report[1][0]).toBe('2');
	expect(report[1][1]).toContain('rows[2].score');

	// The same file again: nothing new is stored.
	await page.getByRole('button', { name: 'Import', exact: true }).click();
	await expect(result.getByTestId('import-duplicates')).toHaveText('3');
	await expect(result.getByTestId('import-accepted')).toHaveText('0');
	await expect(result.getByTestId('import-rejected')).toHaveText('1');
	await context.close();
});

test('the import page speaks Chinese, and shows a refused mapping with its message', async ({ browser }) => {
	const { context, page } = await signedInPage(browser, 'admin', 'zh-CN');
	await page.goto('/admin/import', { waitUntil: 'networkidle' });
	await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('CSV 导入');
	await expect(page).toHaveTitle(/CSV 导入/);
	await expect(page.getByText('数据类型')).toBeVisible();
	await expect(page.getByText('接入源', { exact: true })).toBeVisible();

	const id = `csv-zh-${Date.now().toString(36)}`;
	await page
		.getByLabel('CSV 文件')
		.setInputFiles({ name: 'zh.csv', mimeType: 'text/csv', buffer: feedbackCsv(id) });
	await expect(page.getByRole('heading', { name: '字段映射', exact: true })).toBeVisible();
	// Two columns read as the same field: the preview names the column, the import waits, the mapping stays editable.
	const customer = page.getByTestId('import-mapping').getByLabel('客户代码');
	await customer.selectOption('channel');
	const problem = page.getByTestId('mapping-problem');
	await expect(problem).toContainText('按此映射无法读取数据行');
	await expect(problem).toContainText('already read from the column "客户代码"');
	await expect(page.getByRole('button', { name: '导入', exact: true })).toBeDisabled();
	await customer.selectOption('customerId');
	await expect(problem).toHaveCount(0);
	await expect(page.getByRole('button', { name: '导入', exact: true })).toBeEnabled();
	await context.close();
});

test('a file whose id column has another name is mapped to id on the page', async ({ browser }) => {
	const { context, page } = await signedInPage(browser, 'admin');
	await page.goto('/admin/import', { waitUntil: 'networkidle' });
	await page.getByLabel('Kind of rows').selectOption('journey');
	const id = `csv-id-${Date.now().toString(36)}`;
	const ts = new Date(Date.now() - 60_000).toISOString();
	const csv = ['编号,时间,customerId,name,渠道', `${id}-1,${ts},c-${id},loss_reported,app`].join('\n');
	await page
		.getByLabel('CSV file')
		.setInputFiles({ name: 'ids.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
	await expect(page.getByTestId('mapping-problem')).toContainText('needs an id column');
	// Columns named by a common alias are read as their field.
	await expect(page.getByTestId('import-mapping').getByLabel('时间')).toHaveValue('ts');
	await expect(page.getByTestId('import-mapping').getByLabel('渠道')).toHaveValue('channel');
	await expect(page.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
	await page.getByTestId('import-mapping').getByLabel('编号').selectOption('id');
	await expect(page.getByTestId('mapping-problem')).toHaveCount(0);
	await expect(page.getByTestId('import-preview-rows').locator('tr[data-row="1"]')).toContainText(`${id}-1`);
	await page.getByRole('button', { name: 'Import', exact: true }).click();
	await expect(page.getByTestId('import-result').getByTestId('import-accepted')).toHaveText('1');
	await context.close();
});

test('a manager is refused the import page', async ({ browser }) => {
	const { context, page } = await signedInPage(browser, 'manager');
	const response = await page.goto('/admin/import');
	expect(response?.status()).toBe(403);
	await context.close();
});
