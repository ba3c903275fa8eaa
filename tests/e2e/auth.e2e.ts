import { expect, test, type Browser, type Page } from '@playwright/test';

/** The demo accounts (src/lib/server/auth/demo-accounts.ts); the server runs with RESONANCE_DEMO=1. */
const ACCOUNTS = {
	executive: { email: 'exec@demo.resonance', password: 'demo-exec-2026', landing: '/wallboard' },
	manager: { email: 'manager@demo.resonance', password: 'demo-manager-2026', landing: '/trends' },
	researcher: { email: 'researcher@demo.resonance', password: 'demo-researcher-2026', landing: '/journeys' },
	admin: { email: 'admin@demo.resonance', password: 'demo-admin-2026', landing: '/admin' }
} as const;
type Role = keyof typeof ACCOUNTS;

async function signIn(page: Page, email: string, password: string) {
	// Wait for hydration, so the form is the enhanced one and typed values are not reset.
	await page.goto('/login', { waitUntil: 'networkidle' });
	await page.getByLabel(/e-mail|邮箱/i).fill(email);
	await page.getByLabel(/^password$|^密码$/i).fill(password);
	await page.getByTestId('login-form').getByRole('button').click();
}

async function signedIn(browser: Browser, role: Role) {
	const context = await browser.newContext({ locale: 'en-US' });
	const page = await context.newPage();
	await signIn(page, ACCOUNTS[role].email, ACCOUNTS[role].password);
	await expect(page).toHaveURL(ACCOUNTS[role].landing);
	await page.waitForLoadState('load');
	return { context, page };
}

test('an anonymous visitor is sent to sign in, and comes back after', async ({ page }) => {
	await page.goto('/trends?team=t-cc1');
	await expect(page).toHaveURL('/login?redirectTo=%2Ftrends%3Fteam%3Dt-cc1');
	await expect(page.getByTestId('demo-accounts')).toContainText('manager@demo.resonance');
	await page.waitForLoadState('networkidle');
	await page.getByLabel(/e-mail|邮箱/i).fill(ACCOUNTS.manager.email);
	await page.getByLabel(/^password$|^密码$/i).fill(ACCOUNTS.manager.password);
	await page.getByTestId('login-form').getByRole('button').click();
	await expect(page).toHaveURL('/trends?team=t-cc1');
});

test('an anonymous API call gets 401 JSON', async ({ request }) => {
	const response = await request.get('/api/v1/teams');
	expect(response.status()).toBe(401);
	expect(response.headers()['content-type']).toContain('application/json');
	expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
	expect(response.headers()['x-content-type-options']).toBe('nosniff');
});

for (const role of Object.keys(ACCOUNTS) as Role[]) {
	test(`the ${role} signs in, lands on their page and can sign out`, async ({ browser }) => {
		const { context, page } = await signedIn(browser, role);
		// The landing pages belong to other features; the shell is checked on the account page.
		await page.goto('/account');
		await expect(page.getByTestId('account-email')).toHaveText(ACCOUNTS[role].email);
		await expect(page.getByTestId('current-user')).toHaveAttribute('data-role', role);
		const adminLink = page.getByRole('navigation').getByRole('link', { name: 'Admin' });
		if (role === 'admin') await expect(adminLink).toBeVisible();
		else await expect(adminLink).toHaveCount(0);
		const cookie = (await context.cookies()).find((c) => c.name === 'session');
		expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
		await page.getByTestId('sign-out').click();
		await expect(page).toHaveURL('/login');
		await page.goto(ACCOUNTS[role].landing);
		await expect(page).toHaveURL(/\/login\?redirectTo=/);
		await context.close();
	});
}

test('a wrong password gets one generic message', async ({ browser }) => {
	const context = await browser.newContext({ locale: 'en-US' });
	const page = await context.newPage();
	await signIn(page, ACCOUNTS.executive.email, 'not-the-password');
	await expect(page.getByTestId('login-error')).toHaveText('Wrong e-mail or password.');
	await signIn(page, 'nobody@demo.resonance', 'not-the-password');
	await expect(page.getByTestId('login-error')).toHaveText('Wrong e-mail or password.');
	await context.close();
});

test('a manager sees only their own team, by API and by URL', async ({ browser }) => {
	const { context, page } = await signedIn(browser, 'manager');
	const own = await page.request.get('/api/v1/teams');
	expect(own.status()).toBe(200);
	const { teams } = (await own.json()) as { teams: { id: string }[] };
	expect(teams.every((t) => t.id === 't-cc1')).toBe(true);

	const other = await page.request.get('/api/v1/teams?team=t-cc2');
	expect(other.status()).toBe(403);
	expect((await other.json()).error.code).toBe('forbidden_team');

	const byUrl = await page.goto('/api/v1/teams?team=t-vip');
	expect(byUrl?.status()).toBe(403);
	const admin = await page.goto('/admin/users');
	expect(admin?.status()).toBe(403);
	await context.close();
});

test('an executive sees every team, and an admin-made read key reads with its role', async ({ browser }) => {
	const exec = await signedIn(browser, 'executive');
	// Teams are registered from events as the demo history loads: wait for more than one.
	await expect
		.poll(
			async () => ((await (await exec.page.request.get('/api/v1/teams')).json()).teams as unknown[]).length,
			{
				timeout: 90_000,
				intervals: [1000]
			}
		)
		.toBeGreaterThan(1);
	await exec.context.close();

	const { context, page } = await signedIn(browser, 'admin');
	await page.goto('/admin/keys');
	await page.getByLabel('Name', { exact: true }).nth(1).fill('e2e manager board');
	await page.getByLabel('Role', { exact: true }).selectOption('manager');
	await page.getByLabel('Other team ids').fill('t-cc1');
	await page.getByTestId('read-key-create').getByRole('button').click();
	const key = (await page.getByTestId('created-key-text').textContent())?.trim() ?? '';
	expect(key).toMatch(/^rsn_r_/);

	const withKey = await page.request.get('/api/v1/teams', {
		headers: { authorization: `Bearer ${key}` }
	});
	expect(withKey.status()).toBe(200);
	expect(((await withKey.json()).teams as { id: string }[]).every((t) => t.id === 't-cc1')).toBe(true);

	await page.goto('/admin/audit?action=key.created');
	await expect(page.getByTestId('audit')).toContainText('admin@demo.resonance');
	await context.close();
});

// Last in this file: five failures also count against this machine's address. The e2e server raises the
// per-address limit (RESONANCE_LOGIN_MAX_FAILURES_PER_IP) so the suites after this one can still sign in.
test('five failed sign-ins throttle the account with 429 and a clear message', async ({
	browser,
	request
}) => {
	// A throw-away account, created by the admin, so that later test files can still sign in as the demo users.
	const throttled = { email: `throttled-${Date.now()}@demo.resonance`, password: 'throttle-me-2026' };
	const admin = await signedIn(browser, 'admin');
	const created = await admin.page.request.post('/admin/users?/create', {
		form: { email: throttled.email, name: 'Throttle test', role: 'researcher', password: throttled.password },
		headers: { origin: new URL(admin.page.url()).origin, accept: 'application/json' }
	});
	expect(await created.json()).toMatchObject({ type: 'success' });
	await admin.context.close();

	const context = await browser.newContext({ locale: 'en-US' });
	const page = await context.newPage();
	for (let i = 0; i < 5; i++) {
		await signIn(page, throttled.email, `wrong-${i}`);
		await expect(page.getByTestId('login-error')).toHaveText('Wrong e-mail or password.');
	}
	await signIn(page, throttled.email, throttled.password);
	await expect(page.getByTestId('login-error')).toContainText('Too many failed sign-ins');
	await expect(page).toHaveURL('/login');

	const origin = new URL(page.url()).origin;
	const response = await request.post('/login', {
		form: { email: throttled.email, password: throttled.password },
		headers: { origin, accept: 'text/html' },
		maxRedirects: 0
	});
	expect(response.status()).toBe(429);
	await context.close();
});
