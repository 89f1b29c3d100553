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

test('an admin previews a weight change in the browser, saves it, and the leaderboard follows', async ({ page, browser }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'admin@demo.pacesetter.test', 'demo-admin-password', '/admin/weights');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.locator('table.types tbody tr')).toHaveCount(7);
  await expect(page.getByTestId('impact-empty')).toBeVisible();

  // Visits worth 40 points from the start of the month: computed in the page, no request.
  await page.locator('form.weight-form').getByLabel('Activity type').selectOption({ label: 'Visit' });
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

  // The leader's own breakdown scores this month's visits at the new weight, since the 1st.
  const repContext = await browser.newContext();
  const rep = await repContext.newPage();
  await rep.setViewportSize({ width: 390, height: 844 });
  await signIn(rep, `${firstAfter.toLowerCase().replace(/ /g, '.')}@demo.pacesetter.test`, 'demo-rep-password', '/me');
  await expect(rep.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  const visits = rep.locator('table.explain tbody tr', { hasText: 'Visit' });
  await expect(rep.getByTestId('my-total')).toBeVisible();
  // Early on the 1st of a month nobody may have a visit yet: the leader logs one (the quick
  // log's own button: today's list may hold a visit's Delete button too).
  if ((await visits.count()) === 0) {
    await rep.locator('button.log-button[data-type="visit"]').click();
    await expect(rep.locator('.toast')).toContainText('Visit');
  }
  await expect(visits.locator('td').nth(2)).toHaveText('40.00');
  await expect(visits.locator('td').nth(2)).toHaveAttribute('title', /^since \d{4}-\d{2}-01$/);
  await repContext.close();
});

test('a rep who types the weights address is turned away without a form', async ({ page }) => {
  await signIn(page, 'sam.rivera@demo.pacesetter.test', 'demo-rep-password', '/admin/weights');
  await expect(page.getByTestId('forbidden')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save weight' })).toHaveCount(0);
});

test('the impact preview draws a before/after chart, loading ECharts only then', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  const scripts: string[] = [];
  page.on('request', (r) => { if (r.url().includes('echarts')) scripts.push(r.url()); });
  await signIn(page, 'admin@demo.pacesetter.test', 'demo-admin-password', '/admin/weights');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  expect(scripts).toHaveLength(0);
  await page.locator('form.weight-form').getByLabel('Activity type').selectOption({ label: 'Call' });
  await page.getByLabel('New points per unit').fill('9');
  await expect(page.locator('#impact-chart canvas')).toHaveCount(1);
  expect(scripts.filter((u) => u.endsWith('/echarts/echarts.min.js'))).toHaveLength(1);
  await expect(page.locator('#impact-chart')).toHaveAttribute('aria-label', /before and after/);
  await page.locator('#impact-chart').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${SHOTS}/desk-weights-chart.png`, fullPage: false });
});

test('an admin adds an activity type, a duplicate key keeps what was typed, then retires it', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'admin@demo.pacesetter.test', 'demo-admin-password', '/admin/weights');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  const add = page.locator('form.type-form').first();
  await add.getByLabel('Key').fill('site_visit');
  await add.getByLabel('Label').fill('Site visit');
  await add.getByLabel('Icon').fill('🏗️');
  await add.getByLabel('Points per unit').fill('6');
  await add.getByLabel('Min. minutes').fill('15');
  await add.getByRole('button', { name: 'Add type' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Added.' })).toBeVisible();
  await expect(page.locator('tr[data-type="site_visit"] td').nth(1)).toHaveText('6.00');
  await expect(page.locator('tr[data-type="site_visit"]')).toContainText('15 min');

  // The same key again: refused on the key field, everything typed is still there.
  const again = page.locator('form.type-form').first();
  await again.getByLabel('Key').fill('site_visit');
  await again.getByLabel('Label').fill('Site visit 2');
  await again.getByLabel('Icon').fill('S');
  await again.getByLabel('Points per unit').fill('7');
  await again.getByRole('button', { name: 'Add type' }).click();
  await expect(again.locator('.field-error[data-field="key"]')).toContainText('already used');
  await expect(again.getByLabel('Label')).toHaveValue('Site visit 2');
  await expect(again.getByLabel('Points per unit')).toHaveValue('7');

  // Retire it: it stays listed as retired, with its history.
  const edit = page.locator('form.type-form').nth(1);
  await edit.getByLabel('Type').selectOption({ label: 'Site visit' });
  await edit.getByLabel('Status').selectOption('false');
  await edit.getByRole('button', { name: 'Save type' }).click();
  await expect(page.locator('tr[data-type="site_visit"]')).toContainText('(retired)');
  await expect(page.locator('tr[data-type="site_visit"]')).toContainText('6.00 from');
});

test('an admin edits a role scorecard and sees a real rep\'s card change before saving', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'admin@demo.pacesetter.test', 'demo-admin-password', '/admin/scorecards');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await page.getByRole('button', { name: 'Account Executive' }).click();
  await expect(page.locator('[data-testid="template"] tbody tr')).toHaveCount(4);
  const preview = page.getByTestId('preview');
  await expect(preview.locator('[data-metric]')).toHaveCount(4);
  await expect(page.getByTestId('balance')).toHaveText('3 leading : 1 lagging metrics');
  await page.screenshot({ path: `${SHOTS}/desk-scorecards.png`, fullPage: false });

  let requests = 0;
  page.on('request', (r) => { if (r.url().includes('/api/')) requests += 1; });
  // Add a fourth leading metric: the balance hint appears, the preview gains a line.
  await page.getByLabel('Add a metric').selectOption({ label: 'Weighted pipeline' });
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.getByTestId('hints')).toContainText('4 leading for 1 lagging');
  await expect(preview.locator('[data-metric]')).toHaveCount(5);
  // A weight of 0 is refused by the server on that line; nothing is saved.
  await page.getByLabel('Weight of Weighted pipeline').fill('0');
  expect(requests).toBe(0);
  await page.getByRole('button', { name: 'Save scorecard' }).click();
  await expect(page.locator('.field-error')).toContainText('weight');
  // Remove it again and save the original card: said so.
  await page.getByRole('button', { name: 'Remove Weighted pipeline' }).click();
  await expect(page.getByTestId('hints')).toHaveCount(0);
  await page.getByRole('button', { name: 'Save scorecard' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();
});

test('an admin creates a display with chosen slides and privacy, and opens its URL', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'admin@demo.pacesetter.test', 'demo-admin-password', '/admin/displays');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  const form = page.locator('form.display-form').first();
  await form.getByLabel('Name').fill('Atlas corner');
  await form.getByLabel('Shows').selectOption({ label: 'Team Atlas' });
  await form.getByLabel('Seconds per slide').fill('12');
  for (const slide of ['Team race', 'Most improved', 'Personal bests', 'Weighted pipeline']) {
    await form.getByRole('checkbox', { name: slide }).uncheck();
  }
  await form.getByLabel('Privacy mode', { exact: false }).check();
  await form.getByRole('button', { name: 'Create display link' }).click();
  const secret = page.getByTestId('new-secret');
  await expect(secret).toHaveText(/\/tv\/[0-9a-f]{64}$/);
  const row = page.locator('tr[data-display="Atlas corner"]');
  await expect(row).toContainText('Team Atlas');
  await expect(row).toContainText('Activity ranking, Scorecard attainment, Recent wins, Turnover against objective');
  await expect(row).toContainText('on: no money');
  await page.screenshot({ path: `${SHOTS}/desk-displays.png`, fullPage: false });
  const url = (await secret.textContent())!;
  const tv = await page.context().newPage();
  await tv.goto(url);
  await expect(tv.locator('.tv-board li').first()).toBeVisible();
});
