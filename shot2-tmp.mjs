import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1300, height: 1100 } });
const page = await context.newPage();
await page.goto('http://localhost:4321/login', { waitUntil: 'networkidle' });
await page.getByLabel(/e-mail|邮箱/i).fill('admin@demo.resonance');
await page.getByLabel(/^password$|^密码$/i).fill('demo-admin-2026');
await page.getByTestId('login-form').getByRole('button').click();
await page.waitForURL(/\/admin/);
await page.request.post('http://localhost:4321/api/v1/demo/incident', { data: { on: true } });
await page.goto('http://localhost:4321/alerts', { waitUntil: 'networkidle' });
await page.waitForTimeout(240000);
await page.screenshot({ path: '/tmp/alerts2.png', fullPage: true });
await page.request.post('http://localhost:4321/api/v1/demo/incident', { data: { on: false } });
for (const [path, file] of [['/cases', '/tmp/cases.png'], ['/alerts/rules', '/tmp/rules.png'], ['/admin/alerts', '/tmp/admin.png']]) {
  await page.goto('http://localhost:4321' + path, { waitUntil: 'networkidle' }).catch(() => {});
  await page.screenshot({ path: file, fullPage: true });
}
await browser.close();
