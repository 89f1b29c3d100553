import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';

const SHOTS = 'screenshots';
fs.mkdirSync(SHOTS, { recursive: true });

// Fiscal year 2027 (the demo's fiscal year starts in January) and "Deals won": no other
// spec reads these targets, and no current scorecard uses them.
const GRID = '/admin/targets?metric=deals_won&year=2027';

async function signIn(page: Page, email: string, password: string) {
  await page.goto(`/login?next=${encodeURIComponent('/admin/targets')}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/admin/targets');
}

async function openGrid(page: Page) {
  await page.goto(GRID);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByTestId('target-grid')).toBeVisible();
  // On a loaded machine the hydration mark can come before the lazily loaded grid has its
  // handlers: wait until a key moves from one cell to the next.
  const first = page.getByTestId('target-grid').locator('input').first();
  await expect(async () => {
    await first.focus();
    await page.keyboard.press('ArrowDown');
    expect(await first.evaluate((el) => el === document.activeElement)).toBe(false);
  }).toPass({ timeout: 30_000 });
}

const cell = (page: Page, name: string, month: string) => page.getByLabel(`${name}, ${month} 2027`, { exact: true });

test('an admin fills a year for a rep from an annual figure and a profile, saves, and sees it after a reload', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'admin@demo.pacesetter.test', 'demo-admin-password');
  await openGrid(page);
  await expect(page.getByRole('heading', { name: 'Deals won — fiscal year 2027' })).toBeVisible();
  // Role defaults are editable for an admin; every team is listed.
  await expect(page.getByLabel('SDR default, January 2027', { exact: true })).toBeVisible();
  await expect(page.locator('tr[data-row="Omar Haddad"]')).toHaveCount(1);

  // Shares that do not add up to 100 are refused before anything is filled.
  await page.getByText('Fill a row from an annual target × seasonality').click();
  await page.getByLabel('Row').selectOption({ label: 'Priya Shah' });
  await page.getByLabel('Annual target (count)').fill('1,200');
  await page.getByLabel('January 2027 share in %').fill('20');
  await expect(page.getByTestId('profile-error')).toContainText('add up to 111.66 %, not 100 %');
  await expect(page.getByRole('button', { name: 'Fill row' })).toBeDisabled();

  // Q4 heavy: 7 % a month, then 12 / 12 / 13 % — computed in the page, no request.
  await page.getByLabel('Seasonality').selectOption({ label: 'Q4 heavy' });
  await expect(page.getByTestId('percent-sum')).toHaveText('100 %');
  let requests = 0;
  page.on('request', (r) => { if (r.url().includes('/api/')) requests += 1; });
  await page.getByRole('button', { name: 'Fill row' }).click();
  expect(requests).toBe(0);
  await expect(cell(page, 'Priya Shah', 'January')).toHaveValue('84');
  await expect(cell(page, 'Priya Shah', 'October')).toHaveValue('144');
  await expect(cell(page, 'Priya Shah', 'December')).toHaveValue('156');
  await expect(page.locator('tr[data-row="Priya Shah"] td.total')).toHaveText('1,200');
  await expect(page.getByTestId('unsaved')).toHaveText('12 unsaved changes.');
  await page.screenshot({ path: `${SHOTS}/desk-targets.png`, fullPage: false });

  await page.getByRole('button', { name: 'Save targets' }).click();
  await expect(page.getByTestId('saved')).toHaveText('Saved: 12 targets set.');
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(cell(page, 'Priya Shah', 'January')).toHaveValue('84');
  await expect(cell(page, 'Priya Shah', 'November')).toHaveValue('144');
  await expect(cell(page, 'Priya Shah', 'December')).toHaveValue('156');
  await expect(page.getByTestId('unsaved')).toHaveText('No unsaved changes.');
  await page.getByRole('heading', { name: 'Deals won — fiscal year 2027' }).evaluate((e) => e.scrollIntoView());
  await page.screenshot({ path: `${SHOTS}/desk-targets-grid.png`, fullPage: false });

  // Spreadsheet keys: Enter moves down to the next row, arrows across at the text's edge.
  // (The role rows: their order does not depend on other specs moving reps between teams.)
  const role = (name: string, month: string) => page.getByLabel(`${name} default, ${month} 2027`, { exact: true });
  await role('Account Executive', 'January').focus();
  await page.keyboard.press('Enter');
  await expect(role('Field Rep', 'January')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(role('Field Rep', 'February')).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await expect(role('Account Executive', 'February')).toBeFocused();

  // A block pasted from a spreadsheet lands from the focused cell; a word is reported.
  await role('SDR', 'March').focus();
  await page.evaluate(() => {
    const data = new DataTransfer();
    data.setData('text/plain', '1,5\t2\nn/a\t4\n');
    document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  });
  await expect(role('SDR', 'April')).toHaveValue('2');
  await expect(role('Sales rep', 'April')).toHaveValue('4');
  await expect(page.getByTestId('grid-note')).toContainText('Pasted 4 cells.');
  await expect(page.getByTestId('grid-note')).toContainText("2 cells need fixing");
  await expect(page.getByTestId('grid-note')).toContainText("Sales rep default, March 2027 ('n/a': is not a number)");
  await expect(page.getByTestId('cell-errors')).toContainText('SDR default, March 2027: must be a whole number');
  // Nothing is sent while a cell is wrong, and what was typed stays.
  await page.getByRole('button', { name: 'Save targets' }).click();
  await expect(page.getByTestId('grid-note')).toContainText('Not saved');
  await expect(role('SDR', 'March')).toHaveValue('1,5');
  await expect(role('SDR', 'March')).toHaveAttribute('aria-invalid', 'true');
});

test('a manager sets their own team\'s targets and cannot reach another team', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'manager.atlas@demo.pacesetter.test', 'demo-rep-password');
  await openGrid(page);
  const nav = page.getByRole('navigation', { name: 'Desk areas' });
  await expect(nav.getByRole('link')).toHaveText(['Targets', 'Calendar']);
  await expect(page.getByText('You see and set the targets of team Atlas.')).toBeVisible();
  // Only team Atlas; role defaults read-only (no input).
  await expect(page.locator('tr[data-row="Hannah Cole"]')).toHaveCount(1);
  await expect(page.locator('tr[data-row="Omar Haddad"]')).toHaveCount(0);
  await expect(page.getByLabel('SDR default, January 2027', { exact: true })).toHaveCount(0);
  await expect(page.getByText('Role defaults (set by admins; shown read-only)')).toBeVisible();
  await expect(page.locator('tr[data-row="SDR default"] td').first()).toHaveText('1');

  // A value only the server refuses: the cell is named and marked, every edit stays.
  await cell(page, 'Hannah Cole', 'February').fill('3');
  await cell(page, 'Hannah Cole', 'March').fill('2,000,000,000,000,000');
  await page.getByRole('button', { name: 'Save targets' }).click();
  await expect(page.getByTestId('grid-note')).toHaveText('Not saved; nothing was changed. Fix the cells listed below.');
  await expect(page.getByTestId('cell-errors')).toHaveText('Hannah Cole, March 2027: must be at most 1000000000000000');
  await expect(cell(page, 'Hannah Cole', 'March')).toHaveAttribute('aria-invalid', 'true');
  await expect(cell(page, 'Hannah Cole', 'February')).toHaveValue('3');
  await expect(cell(page, 'Hannah Cole', 'March')).toHaveValue('2,000,000,000,000,000');

  await cell(page, 'Hannah Cole', 'March').fill('');
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Save targets' }).click();
  await expect(page.getByTestId('saved')).toHaveText('Saved: 1 target set.');
  await page.reload();
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(cell(page, 'Hannah Cole', 'February')).toHaveValue('3');
  await page.screenshot({ path: `${SHOTS}/desk-targets-manager.png`, fullPage: false });

  // The server refuses another team's rep and a role default, whatever the page shows.
  for (const who of [['edits[0][rep_email]', 'omar.haddad@demo.pacesetter.test'], ['edits[0][role]', 'sdr']]) {
    const res = await page.request.post('/api/save_targets', {
      form: { metric: 'deals_won', [who[0]]: who[1], 'edits[0][month]': '2027-02', 'edits[0][value]': '9' },
    });
    expect(res.status()).toBe(403);
  }
});
