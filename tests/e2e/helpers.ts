import { expect, type Browser, type Page } from '@playwright/test';

/** The demo accounts (src/lib/server/auth/demo-accounts.ts); the e2e server runs with RESONANCE_DEMO=1. */
export const ACCOUNTS = {
	executive: { email: 'exec@demo.resonance', password: 'demo-exec-2026', landing: '/wallboard' },
	manager: { email: 'manager@demo.resonance', password: 'demo-manager-2026', landing: '/trends' },
	researcher: { email: 'researcher@demo.resonance', password: 'demo-researcher-2026', landing: '/journeys' },
	admin: { email: 'admin@demo.resonance', password: 'demo-admin-2026', landing: '/admin' }
} as const;
export type DemoRole = keyof typeof ACCOUNTS;

/** The write key the e2e server is started with (playwright.config.ts). */
export const E2E_WRITE_KEY = 'rsn_w_e2e_test_write_key';

/**
 * Signs a page's browser context in through the real form action (POST /login), without the UI round trip:
 * the session cookie lands in the context, so every later page load is signed in.
 */
export async function signIn(page: Page, role: DemoRole): Promise<void> {
	const { email, password } = ACCOUNTS[role];
	const origin = `http://localhost:${process.env.E2E_PORT ?? 4173}`;
	const response = await page.request.post('/login', {
		form: { email, password },
		headers: { origin, accept: 'text/html' },
		maxRedirects: 0
	});
	expect(response.status(), `sign-in as ${role}`).toBe(303);
}

/** A new browser context in the given language, signed in as a demo role. */
export async function signedInPage(browser: Browser, role: DemoRole, locale = 'en-US') {
	const context = await browser.newContext({ locale });
	const page = await context.newPage();
	await signIn(page, role);
	return { context, page };
}

/** Waits until the demo history is in (the overview's stored-event count is above zero). */
export async function waitForDemo(page: Page): Promise<void> {
	await expect
		.poll(
			async () => {
				await page.goto('/');
				return Number(await page.getByTestId('events-stored').getAttribute('data-value'));
			},
			{ timeout: 120_000, intervals: [1000] }
		)
		.toBeGreaterThan(0);
}
