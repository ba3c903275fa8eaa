import { chromium } from '@playwright/test';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const context = await browser.newContext({ locale: process.env.LOC ?? 'en-US', viewport: { width: 1300, height: 1000 } });
const page = await context.newPage();
await page.goto('http://localhost:4321/login', { waitUntil: 'networkidle' });
await page.getByLabel(/e-mail|邮箱/i).fill(process.env.EMAIL ?? 'admin@demo.resonance');
await page.getByLabel(/^password$|^密码$/i).fill(process.env.PW ?? 'demo-admin-2026');
await page.getByTestId('login-form').getByRole('button').click();
await page.waitForURL(/\/(admin|trends)/);
for (const [path, file] of JSON.parse(process.env.PAGES)) {
  await page.goto('http://localhost:4321' + path, { waitUntil: 'networkidle' }).catch(() => {});
  await page.waitForTimeout(1500);
  await page.screenshot({ path: file, fullPage: false });
}
await browser.close();
