import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';

// The rep's deals on a phone: log a deal won and see turnover and win rate move, move an
// open deal along, mark one lost; and the won-deal form posted without JavaScript.
// An account executive of the demo: they have open deals to work on.
const REP = { email: 'lena.novak@demo.pacesetter.test', password: 'demo-rep-password' };
const SHOTS = 'screenshots';
fs.mkdirSync(SHOTS, { recursive: true });

async function signIn(page: Page, next = '/me/deals') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(REP.email);
  await page.getByLabel('Password').fill(REP.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next);
}

async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
}

/** "EUR 12,500.50" → 1250050 (minor units). */
function money(text: string | null): number {
  const n = (text ?? '').replace(/[^0-9.]/g, '');
  return Math.round(parseFloat(n || '0') * 100);
}

/** "3 won · 2 lost" → [3, 2]. */
function wonLost(text: string | null): [number, number] {
  const m = /(\d+) won · (\d+) lost/.exec(text ?? '');
  expect(m, `won/lost line: ${text}`).toBeTruthy();
  return [parseInt(m![1], 10), parseInt(m![2], 10)];
}

async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px screen`).toBeLessThanOrEqual(innerWidth);
}

for (const [width, height] of [[360, 740], [390, 844]]) {
  test.describe(`deals page ${width}×${height}`, () => {
    test.use({ viewport: { width, height }, isMobile: true, hasTouch: true });

    test('figures, forms and pipeline fit the screen; the tab bar marks the page', async ({ page }) => {
      await signIn(page);
      await hydrated(page);
      await expect(page.getByTestId('turnover')).toHaveText(/^EUR /);
      await expect(page.getByTestId('win-rate')).toHaveText(/%|n\/a/);
      const tabs = page.getByRole('navigation', { name: 'My pages' });
      await expect(tabs.getByRole('link', { name: 'Deals' })).toHaveAttribute('aria-current', 'page');
      await expect(tabs.getByRole('link', { name: 'Log' })).not.toHaveAttribute('aria-current', 'page');
      // The tab bar sits at the bottom of the screen, within reach of a thumb.
      const bar = (await tabs.boundingBox())!;
      expect(bar.y + bar.height).toBeGreaterThan(height - 2);
      expect(bar.height).toBeGreaterThanOrEqual(48);
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${SHOTS}/phone-deals-${width}.png` });
      await page.screenshot({ path: `${SHOTS}/phone-deals-full-${width}.png`, fullPage: true });
      // The deal form with its problems shown.
      await page.locator('#won-amount').fill('-5');
      await page.getByRole('button', { name: 'Log won deal' }).tap();
      await expect(page.locator('#won .field-error[data-field="amount"]')).toHaveText('must not be negative');
      await expect(page.locator('#won-amount')).toHaveValue('-5');
      await page.locator('#won').scrollIntoViewIfNeeded();
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${SHOTS}/phone-deal-form-${width}.png` });
      // An open deal's update form.
      const deal = page.locator('li.pipeline-deal').first();
      await deal.getByText('Update or close').tap();
      await deal.scrollIntoViewIfNeeded();
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${SHOTS}/phone-deal-update-${width}.png` });
      // The Log tab leads to the log page, which has the same tab bar.
      await tabs.getByRole('link', { name: 'Log' }).tap();
      await page.waitForURL((url) => url.pathname === '/me');
      await expect(page.getByRole('navigation', { name: 'My pages' }).getByRole('link', { name: 'Log' }))
        .toHaveAttribute('aria-current', 'page');
    });
  });
}

test.describe('phone 390×844, JavaScript on', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('a rep logs a won deal and sees turnover and win rate change', async ({ page }) => {
    await signIn(page);
    await hydrated(page);
    const turnover = page.getByTestId('turnover');
    const before = money(await turnover.textContent());
    const [won, lost] = wonLost(await page.getByTestId('won-lost').textContent());
    await page.locator('#won-amount').fill('1234.50');
    await page.locator('#won-account').fill('Tapworth Ltd');
    await page.getByText('New customer').tap();
    await page.getByRole('button', { name: 'Log won deal' }).tap();
    await expect(page.locator('.toast')).toContainText('Won deal logged: EUR 1,234.50.');
    await expect.poll(async () => money(await turnover.textContent())).toBe(before + 123450);
    const rate = Math.round(((won + 1) * 100) / (won + 1 + lost));
    await expect(page.getByTestId('win-rate')).toHaveText(`${rate}%`);
    await expect(page.getByTestId('won-lost')).toHaveText(`${won + 1} won · ${lost} lost`);
    // The form is ready for the next one.
    await expect(page.locator('#won-amount')).toHaveValue('');
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/phone-deal-won-390.png` });
  });

  test('a rep moves an open deal along, then marks one lost', async ({ page }) => {
    await signIn(page);
    await hydrated(page);
    const deals = page.locator('li.pipeline-deal');
    // After a sign-in in the page the list arrives with the page's data: wait for two.
    await expect(deals.nth(1)).toBeVisible();
    const first = deals.first();
    const id = await first.getAttribute('data-deal');
    await first.getByText('Update or close').tap();
    await first.getByLabel('Stage').selectOption('Negotiation');
    await first.getByLabel('Probability (%)').fill('80');
    const d = new Date();
    const month = `${d.getFullYear() + 1}-03`;
    await first.getByLabel('Expected close').fill(month);
    await first.getByRole('button', { name: 'Save' }).tap();
    await expect(page.locator('.toast')).toContainText('Deal updated.');
    const moved = page.locator(`li.pipeline-deal[data-deal="${id}"]`);
    await expect(moved.getByTestId('stage-line')).toHaveText('Negotiation · 80%');
    await expect(moved).toContainText(`March ${d.getFullYear() + 1}`);

    // Mark another one lost, for a reason of the organisation's list.
    const [won, lost] = wonLost(await page.getByTestId('won-lost').textContent());
    const openBefore = await deals.count();
    const other = deals.nth(1);
    const otherId = await other.getAttribute('data-deal');
    await other.getByText('Update or close').tap();
    await other.getByRole('button', { name: 'Mark lost' }).tap();
    await expect(other.locator('.field-error[data-field="lost_reason"]')).toHaveText('choose a reason');
    await other.getByLabel('Lost because').selectOption('Price');
    await other.getByRole('button', { name: 'Mark lost' }).tap();
    await expect(page.locator('.toast')).toContainText('Lost: EUR');
    await expect(page.locator(`li.pipeline-deal[data-deal="${otherId}"]`)).toHaveCount(0);
    await expect(deals).toHaveCount(openBefore - 1);
    await expect(page.getByTestId('won-lost')).toHaveText(`${won} won · ${lost + 1} lost`);
    await expect(page.getByTestId('win-rate')).toHaveText(`${Math.round((won * 100) / (won + lost + 1))}%`);
  });
});

test.describe('phone, JavaScript off', () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });

  test('the won-deal form posts, keeps what was typed when refused, and confirms', async ({ page }) => {
    await signIn(page);
    const turnover = money(await page.getByTestId('turnover').textContent());
    await page.locator('#won-amount').fill('-5');
    await page.locator('#won-account').fill('Plainform GmbH');
    await page.getByRole('button', { name: 'Log won deal' }).click();
    await page.waitForURL((url) => url.pathname === '/me/deals' && url.search === '?failed=won');
    expect(page.url()).not.toContain('__err');
    await expect(page.locator('#won').getByRole('alert')).toHaveText('Nothing was saved: correct the fields marked below.');
    await expect(page.locator('#won .field-error[data-field="amount"]')).toHaveText('must not be negative');
    await expect(page.locator('#won-amount')).toHaveValue('-5');
    await expect(page.locator('#won-account')).toHaveValue('Plainform GmbH');
    await page.screenshot({ path: `${SHOTS}/phone-deal-form-nojs-refused-390.png` });

    await page.locator('#won-amount').fill('250');
    await page.getByRole('button', { name: 'Log won deal' }).click();
    await page.waitForURL((url) => url.pathname === '/me/deals' && url.search === '?done=won');
    await expect(page.getByTestId('done')).toHaveText('Won deal logged. Your turnover and win rate include it.');
    expect(money(await page.getByTestId('turnover').textContent())).toBe(turnover + 25000);
    await expect(page.locator('#won-amount')).toHaveValue('');
    await page.screenshot({ path: `${SHOTS}/phone-deal-form-nojs-done-390.png` });
  });

  test('a wrong password comes back with a readable address and keeps the next page', async ({ page }) => {
    await page.goto('/login?next=%2Fme%2Fdeals');
    await page.getByLabel('Email').fill(REP.email);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('error') === 'wrong');
    expect(page.url()).not.toContain('__err');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/me/deals');
    await expect(page.getByRole('alert')).toHaveText('Wrong email or password.');
    // The next attempt still lands on the deals page.
    await page.getByLabel('Email').fill(REP.email);
    await page.getByLabel('Password').fill(REP.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/me/deals');
  });
});
