import { expect, test } from '@playwright/test';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOwnServer, type OwnServer } from './own-server';

// The admin page's operations cards (issue 21): a server this spec starts itself with scheduled backups and a
// retention period. A first run stores events of 40 days ago and of today; the second run, with
// RESONANCE_RETENTION_DAYS=30, prunes the old ones 10 s after start and writes its first backup 5 s after start. The page must
// show the schedule, the backup file and the pruning, in English and in Chinese.
const port = Number(process.env.E2E_PORT ?? 4173) + 4;
const base = `http://127.0.0.1:${port}`;
const writeKey = 'rsn_w_admin_operations_e2e_key';
const admin = { email: 'ops-admin@bank.example', password: 'ops-admin-e2e-password' };
const DAY = 86_400_000;

let dir: string;
let backupDir: string;
let server: OwnServer | null = null;

async function startServer(env: Record<string, string>): Promise<void> {
	server = await startOwnServer(port, {
		DATABASE_URL: join(dir, 'ops.db'),
		RESONANCE_DEMO: '0',
		RESONANCE_WRITE_KEY: writeKey,
		RESONANCE_ADMIN_EMAIL: admin.email,
		RESONANCE_ADMIN_PASSWORD: admin.password,
		...env
	});
}

async function stopServer(): Promise<void> {
	const running = server;
	server = null;
	await running?.stop();
}

test.beforeAll(async () => {
	dir = mkdtempSync(join(tmpdir(), 'resonance-admin-ops-e2e-'));
	backupDir = join(dir, 'backups');
	await startServer({});
	const now = Date.now();
	const events = [
		...Array.from({ length: 12 }, (_, i) => ({
			id: `old-${i}`,
			ts: new Date(now - 40 * DAY + i * 60_000).toISOString()
		})),
		...Array.from({ length: 8 }, (_, i) => ({
			id: `new-${i}`,
			ts: new Date(now - 3_600_000 + i).toISOString()
		}))
	].map((e, i) => ({
		...e,
		type: 'feedback',
		customerId: `ops-c-${i}`,
		channel: 'app',
		metric: 'csat',
		score: 4
	}));
	const r = await fetch(`${base}/api/v1/events`, {
		method: 'POST',
		headers: { authorization: `Bearer ${writeKey}`, 'content-type': 'application/json' },
		body: JSON.stringify({ events })
	});
	expect(r.status, await r.text()).toBe(200);
	await stopServer();
	await startServer({
		RESONANCE_RETENTION_DAYS: '30',
		RESONANCE_BACKUP_DIR: backupDir,
		RESONANCE_BACKUP_HOURS: '6',
		RESONANCE_BACKUP_KEEP: '3'
	});
	// The first scheduled backup is written 5 s after start, the first pruning runs 10 s after start.
	await expect
		.poll(() => readdirSync(backupDir).filter((f) => f.endsWith('.db')).length, { timeout: 30_000 })
		.toBe(1);
	await expect
		.poll(() => server?.log() ?? '', { timeout: 30_000 })
		.toContain('retention: 12 events and 0 texts');
});

test.afterAll(async () => {
	await stopServer();
	rmSync(dir, { recursive: true, force: true });
});

for (const { locale, schedule, pruned, kept } of [
	{
		locale: 'en-US',
		schedule: /Every 6 h into .*backups, keeping 3\./,
		pruned: /12 events and 0 texts deleted/,
		kept: /kept 30 days/
	},
	{
		locale: 'zh-CN',
		schedule: /每 6 小时备份到 .*backups，保留 3 份。/,
		pruned: /删除 12 条事件/,
		kept: /保留 30 天/
	}
])
	test(`the admin page shows the backup schedule, the backup written and the pruning (${locale})`, async ({
		browser
	}) => {
		const context = await browser.newContext({ locale, baseURL: base });
		const page = await context.newPage();
		const login = await page.request.post('/login', {
			form: admin,
			headers: { origin: base, accept: 'text/html' },
			maxRedirects: 0
		});
		expect(login.status()).toBe(303);
		await page.goto('/admin');
		const backups = page.getByTestId('admin-backups');
		await expect(backups).toContainText(schedule);
		const file = readdirSync(backupDir).find((f) => f.endsWith('.db'))!;
		await expect(backups.locator('tbody tr')).toHaveCount(1);
		await expect(backups.locator('tbody tr').first()).toContainText(file);
		const retention = page.getByTestId('admin-retention');
		await expect(retention).toContainText(kept);
		await expect(retention).toContainText(pruned);
		await context.close();
	});
