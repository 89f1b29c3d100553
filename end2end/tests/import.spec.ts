import { test, expect, Page } from '@playwright/test';

async function signInAdmin(page: Page) {
  await page.goto('/login?next=/admin');
  await page.getByLabel('Email').fill('admin@demo.pacesetter.test');
  await page.getByLabel('Password').fill('demo-admin-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/admin');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
}

test('an admin checks a CSV, sees every bad line, fixes it and imports it once', async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await signInAdmin(page);
  const panel = page.getByTestId('import-export');
  const text = panel.getByLabel('CSV text');
  const header = 'rep_email,type,occurred_at,quantity,duration_seconds,note,account,source,external_id';
  const bad = [
    header,
    'sam.rivera@demo.pacesetter.test,call,2026-11-02T10:00:00Z,1,120,,,e2e,row-1',
    'nobody@example.com,call,2026-11-02T10:00:00Z,1,,,,e2e,row-2',
    'sam.rivera@demo.pacesetter.test,telepathy,2026-11-02T10:00:00Z,1,,,,e2e,row-3',
  ].join('\n');
  await text.fill(bad);
  await panel.getByRole('button', { name: 'Check (dry run)' }).click();
  const errors = panel.locator('table.import-errors tbody tr');
  await expect(errors).toHaveCount(2);
  await expect(errors.nth(0)).toContainText('3');
  await expect(errors.nth(1)).toContainText('telepathy');
  // What was typed is still there to fix.
  await expect(text).toHaveValue(bad);

  const good = [header, 'sam.rivera@demo.pacesetter.test,call,2026-11-02T10:00:00Z,1,120,,,e2e,row-1'].join('\n');
  await text.fill(good);
  await panel.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(panel.getByTestId('import-summary')).toContainText('1 created');
  // The same file again changes nothing.
  await panel.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(panel.getByTestId('import-summary')).toContainText('0 created');
});
