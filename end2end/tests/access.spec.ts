import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';

const SHOTS = 'screenshots';
fs.mkdirSync(SHOTS, { recursive: true });

async function signIn(page: Page, email: string, password: string, next: string) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next);
}

test('a rep cannot reach the admin pages by URL', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn(page, 'sam.rivera@demo.pacesetter.test', 'demo-rep-password', '/admin');
  await expect(page.getByTestId('forbidden')).toBeVisible();
  await expect(page.locator('table.admin-users')).toHaveCount(0);
  await expect(page.locator('table.audit')).toHaveCount(0);
  // The page does not offer forms the server would refuse.
  await expect(page.getByRole('heading', { name: 'Add a person' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Create token' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Desk' })).toHaveCount(0);
  // Nor through the server function the page would use.
  const res = await page.request.post('/api/admin_overview', { headers: { 'sec-fetch-site': 'same-origin' } });
  expect(res.status()).toBe(403);
});

test('an admin creates a TV display link, sees it once, and the change is audited', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'admin@demo.pacesetter.test', 'demo-admin-password', '/admin/displays');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await page.locator('form.display-form').first().getByPlaceholder('Office TV').fill('Sales floor');
  await page.getByRole('button', { name: 'Create display link' }).click();
  const secret = page.getByTestId('new-secret');
  await expect(secret).toHaveText(/^http:\/\/[^/]+\/tv\/[0-9a-f]{64}$/);
  const url = (await secret.textContent())!;
  await page.goto('/admin');
  await expect(page.locator('table.admin-users tbody tr')).toHaveCount(28);
  await expect(page.locator('table.audit tbody tr').first()).toContainText('admin@demo.pacesetter.test');
  await expect(page.locator('table.audit tbody tr').first()).toContainText('Sales floor');
  await page.screenshot({ path: `${SHOTS}/admin-desktop.png`, fullPage: false });
  const tv = await page.context().newPage();
  await tv.goto(url);
  await expect(tv.locator('.tv-board li').first()).toBeVisible();
});

test('signing out ends the session, with the page hydrated and without JavaScript', async ({ browser }) => {
  for (const javaScriptEnabled of [true, false]) {
    const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await signIn(page, 'sam.rivera@demo.pacesetter.test', 'demo-rep-password', '/me');
    if (javaScriptEnabled) {
      await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
    }
    await page.getByRole('button', { name: /^Sign out/ }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    // The session is gone on the server: the rep's page sends them back to sign in.
    await page.goto('/me');
    await page.waitForURL((url) => url.pathname === '/login');
    await expect(page.getByRole('button', { name: /^Sign out/ })).toHaveCount(0);
    await context.close();
  }
});
