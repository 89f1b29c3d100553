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

test('an admin previews a weight change in the browser, saves it, and the leaderboard follows', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'admin@demo.pacesetter.test', 'demo-admin-password', '/admin/weights');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.locator('table.types tbody tr')).toHaveCount(7);
  await expect(page.getByTestId('impact-empty')).toBeVisible();

  // Visits worth 40 points from the start of the month: computed in the page, no request.
  await page.getByLabel('Activity type').selectOption({ label: 'Visit' });
  let requests = 0;
  page.on('request', (r) => { if (r.url().includes('/api/')) requests += 1; });
  await page.getByLabel('New points per unit').fill('40');
  await expect(page.getByTestId('impact')).toBeVisible();
  await expect(page.getByTestId('impact-summary')).toContainText('reps change places');
  expect(requests).toBe(0);
  const top = page.locator('table.impact tbody tr').first().locator('td');
  const firstAfter = (await top.nth(1).textContent())!.trim();
  const firstPoints = (await top.nth(3).textContent())!.trim();
  await page.screenshot({ path: `${SHOTS}/desk-weights.png`, fullPage: false });

  await page.getByRole('button', { name: 'Save weight' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
  await expect(page.locator('tr[data-type="visit"] td').nth(1)).toHaveText('40.00');

  // The leaderboard now leads with the rep the preview put first.
  await page.goto('/?period=month');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  const leader = page.locator('table.leaderboard tbody tr').first();
  await expect(leader.locator('td.name')).toHaveText(firstAfter);
  await expect(leader.locator('td.points')).toHaveText(firstPoints);
});

test('a rep who types the weights address is turned away without a form', async ({ page }) => {
  await signIn(page, 'sam.rivera@demo.pacesetter.test', 'demo-rep-password', '/admin/weights');
  await expect(page.getByTestId('forbidden')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save weight' })).toHaveCount(0);
});
