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
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
}

// Next year, so that nothing this spec adds moves the pacing other specs look at; and all
// of it is removed again at the end.
const YEAR = new Date().getUTCFullYear() + 1;
const HOLIDAY = `${YEAR}-06-15`;
const AWAY_FROM = `${YEAR}-06-01`;
const AWAY_TO = `${YEAR}-06-05`;

test('an admin adds a holiday and an absence, sees them listed, and bad input is shown on its field', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'admin@demo.pacesetter.test', 'demo-admin-password', '/admin/calendar');
  await expect(page.getByRole('button', { name: 'Save working week' })).toBeVisible();
  await expect(page.locator('table.holidays tbody tr').first()).toBeVisible();
  // No working day at all: refused on the week, the boxes stay as they were clicked.
  const weekdays5 = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
  for (const d of weekdays5) await page.getByLabel(d).uncheck();
  await page.getByRole('button', { name: 'Save working week' }).click();
  await expect(page.locator('#working_weekdays-error')).toContainText('non-empty list');
  for (const d of weekdays5) await expect(page.getByLabel(d)).not.toBeChecked();
  // Monday to Friday again (as the demo had it), saved.
  for (const d of weekdays5) await page.getByLabel(d).check();
  await page.getByRole('button', { name: 'Save working week' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Working week saved.' })).toBeVisible();
  await expect(page.locator('#working_weekdays-error')).toHaveCount(0);
  for (const d of weekdays5) await expect(page.getByLabel(d)).toBeChecked();
  await expect(page.getByLabel('Saturday')).not.toBeChecked();

  await page.getByRole('navigation', { name: 'Year' }).getByRole('link', { name: String(YEAR) }).click();
  await expect(page.getByRole('heading', { name: `Holidays in ${YEAR}` })).toBeVisible();

  // A holiday.
  await page.getByLabel('Day', { exact: true }).fill(HOLIDAY);
  await page.getByLabel('Holiday name').fill('Summer party');
  await page.getByRole('button', { name: 'Add holiday' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Holiday added.' })).toBeVisible();
  const holiday = page.locator(`table.holidays tr[data-day="${HOLIDAY}"]`);
  await expect(holiday).toContainText('Summer party');

  // The same day again: the error is on the day, and what was typed stays.
  await page.getByLabel('Day', { exact: true }).fill(HOLIDAY);
  await page.getByLabel('Holiday name').fill('Second party');
  await page.getByRole('button', { name: 'Add holiday' }).click();
  await expect(page.locator('#holiday-day-error')).toContainText('already a holiday (Summer party)');
  await expect(page.getByLabel('Day', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Holiday name')).toHaveValue('Second party');
  await expect(page.locator('table.holidays tr', { hasText: 'Second party' })).toHaveCount(0);

  // An absence: the last day before the first is refused on the last day, typed text kept.
  const rep = page.getByLabel('Rep', { exact: true });
  const repName = (await rep.locator('option').nth(2).textContent())!.replace(/ \(.*\)$/, '').trim();
  await rep.selectOption({ index: 2 });
  await page.getByLabel('First day away').fill(AWAY_TO);
  await page.getByLabel('Last day away').fill(AWAY_FROM);
  await page.getByLabel('Reason').fill('Sales kick-off');
  await page.getByRole('button', { name: 'Record absence' }).click();
  await expect(page.locator('#absence-end-error')).toContainText('on or after the first day');
  await expect(page.getByLabel('Reason')).toHaveValue('Sales kick-off');
  await expect(page.getByLabel('Last day away')).toHaveValue(AWAY_FROM);

  await page.getByLabel('First day away').fill(AWAY_FROM);
  await page.getByLabel('Last day away').fill(AWAY_TO);
  await page.getByRole('button', { name: 'Record absence' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Absence recorded.' })).toBeVisible();
  const absence = page.locator('table.absences tbody tr', { hasText: 'Sales kick-off' });
  await expect(absence).toContainText(repName);
  // 1–5 June: the working days it takes off, computed by the server's calendar.
  const weekdays = [1, 2, 3, 4, 5].filter((d) => {
    const day = new Date(Date.UTC(YEAR, 5, d)).getUTCDay();
    return day !== 0 && day !== 6;
  }).length;
  await expect(absence.locator('td.num')).toHaveText(String(weekdays));
  await page.screenshot({ path: `${SHOTS}/desk-calendar.png`, fullPage: false });

  // Removed again: nothing this spec added stays for the other specs.
  await page.getByRole('button', { name: `Remove ${repName}'s absence from ${AWAY_FROM} to ${AWAY_TO}` }).click();
  await expect(absence).toHaveCount(0);
  await page.getByRole('button', { name: `Remove the holiday Summer party on ${HOLIDAY}` }).click();
  await expect(holiday).toHaveCount(0);
});

test('a manager sees only their team and no organisation forms', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'manager.atlas@demo.pacesetter.test', 'demo-rep-password', '/admin/calendar');
  await expect(page.getByRole('heading', { name: /Absences in .* team Atlas/ })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Save working week' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Add holiday' })).toHaveCount(0);
  const options = await page.getByLabel('Rep', { exact: true }).locator('option').allTextContents();
  expect(options.length).toBe(8);
  for (const o of options) expect(o).toContain('(Atlas)');
  await expect(page.getByRole('navigation', { name: 'Desk areas' }).getByRole('link')).toHaveText(['Targets', 'Calendar']);
  await page.screenshot({ path: `${SHOTS}/desk-calendar-manager.png`, fullPage: false });
});

test('a settings save with unordered bands shows the error on the bands and keeps what was typed', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'admin@demo.pacesetter.test', 'demo-admin-password', '/admin/settings');
  const name = page.getByLabel('Organisation name');
  const original = await name.inputValue();
  const atRisk = page.getByLabel('At risk from (%)');
  await expect(atRisk).toHaveValue('80');
  await page.screenshot({ path: `${SHOTS}/desk-settings.png`, fullPage: false });

  await name.fill('Northwind Sales (typed)');
  await atRisk.fill('130');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.locator('#band_thresholds-error')).toContainText('must decrease');
  await expect(atRisk).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('not-saved')).toBeVisible();
  await expect(atRisk).toHaveValue('130');
  await expect(name).toHaveValue('Northwind Sales (typed)');
  await expect(page.locator('#org_name-error')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/desk-settings-error.png`, fullPage: false });

  // Corrected (and the name put back, so the other specs see the demo as it was).
  await name.fill(original);
  await atRisk.fill('80');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Settings saved.' })).toBeVisible();
  await expect(page.locator('#band_thresholds-error')).toHaveCount(0);
  await page.reload();
  await expect(page.getByLabel('At risk from (%)')).toHaveValue('80');
  await expect(page.getByLabel('Organisation name')).toHaveValue(original);
});
