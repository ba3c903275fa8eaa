import { defineConfig, devices } from '@playwright/test';
import { existsSync, rmSync } from 'node:fs';

const port = Number(process.env.E2E_PORT ?? 4173);
// Not under test-results/: Playwright empties that folder after the server has opened the database, and the
// ingestion writer thread opens the file by its path.
const databaseFile = `./.e2e/e2e-${port}.db`;
// Every run starts from an empty database, so the demo is seeded the way a fresh install seeds it. Workers load
// this file too, after the server opened the database: only the runner removes it, so a test can read the file.
if (!process.env.TEST_WORKER_INDEX)
	for (const suffix of ['', '-wal', '-shm']) rmSync(databaseFile + suffix, { force: true });

const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export default defineConfig({
	testDir: 'tests/e2e',
	testMatch: '**/*.e2e.ts',
	fullyParallel: false,
	workers: 1,
	retries: 0,
	timeout: 60_000,
	expect: { timeout: 10_000 },
	reporter: process.env.CI ? 'line' : 'list',
	use: {
		baseURL: `http://localhost:${port}`,
		trace: 'retain-on-failure',
		launchOptions: existsSync(chromium)
			? {
					executablePath: chromium,
					args: [
						'--no-sandbox',
						'--disable-gpu',
						'--disable-background-networking',
						'--disable-component-update',
						'--disable-sync',
						'--no-first-run',
						'--disable-quic'
					]
				}
			: {}
	},
	projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'] } }],
	webServer: {
		// The production entry (body limit, security headers on static files), as `npm start` runs it.
		command: 'node scripts/serve.js',
		url: `http://localhost:${port}/healthz`,
		timeout: 120_000,
		reuseExistingServer: false,
		stdout: 'pipe',
		env: {
			PORT: String(port),
			HOST: '127.0.0.1',
			ORIGIN: `http://localhost:${port}`,
			DATABASE_URL: databaseFile,
			RESONANCE_DEMO: '1',
			RESONANCE_DEMO_DAYS: '21',
			RESONANCE_DEMO_RATE: '600',
			RESONANCE_WRITE_KEY: 'rsn_w_e2e_test_write_key',
			// The alerts spec's webhook receiver listens on loopback, which webhooks reach only when listed here.
			RESONANCE_WEBHOOK_ALLOW: '127.0.0.1',
			// Every test signs in from 127.0.0.1; the per-address limit of 5 is covered by unit tests.
			RESONANCE_LOGIN_MAX_FAILURES_PER_IP: '1000'
		}
	}
});
