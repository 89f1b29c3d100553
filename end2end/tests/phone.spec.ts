import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';

// The rep's phone at the two widths that matter: the scorecard reads as cards, nothing
// scrolls sideways.
const REP = { email: 'sam.rivera@demo.pacesetter.test', password: 'demo-rep-password' };
const SHOTS = 'screenshots';
// A full-page shot shows what scrolling reveals: below the fold, /me lays its entries and
// cards out only as they come near the screen (content-visibility), which a shot taken
// without scrolling would show as blanks.
const WHOLE_PAGE = '* { content-visibility: visible !important; }';
fs.mkdirSync(SHOTS, { recursive: true });

async function signIn(page: Page) {
  await page.goto('/login?next=%2Fme');
  await page.getByLabel('Email').fill(REP.email);
  await page.getByLabel('Password').fill(REP.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/me');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
}

async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px screen`).toBeLessThanOrEqual(innerWidth);
}

for (const [width, height] of [[360, 740], [390, 844]]) {
  test.describe(`phone ${width}×${height}`, () => {
    test.use({ viewport: { width, height }, isMobile: true, hasTouch: true });

    test('the scorecard is one card per metric, band in words, with composite, rank and index', async ({ page }) => {
      await signIn(page);
      const cards = page.locator('.metric-cards [data-metric]');
      await expect(cards.first()).toBeVisible();
      const n = await cards.count();
      expect(n).toBeGreaterThan(1);
      for (let i = 0; i < n; i++) {
        const card = cards.nth(i);
        // Every card names its figures and its band in words.
        await expect(card.locator('dt')).toHaveText(['Expected to date', 'Pace', 'Attained']);
        await expect(card.locator('.band')).toHaveText(/Outstanding|On track|At risk|Needs intervention|n\/a/);
        // A card fits in the screen.
        const box = (await card.boundingBox())!;
        expect(box.x + box.width).toBeLessThanOrEqual(width);
      }
      await expect(page.getByTestId('composite')).toHaveText(/%|n\/a/);
      await expect(page.getByTestId('my-rank')).toHaveText(/\d+(st|nd|rd|th) of \d+|not ranked/);
      await expect(page.getByText(/Index .* \/ 10/)).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Why this score' })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${SHOTS}/phone-me-${width}.png`, fullPage: true, style: WHOLE_PAGE });
    });

    test('one tap logs and counts on the button; undo takes it back', async ({ page }) => {
      await signIn(page);
      const button = page.locator('button.log-button[data-type="meeting"]');
      const count = button.getByTestId('today-count');
      const before = parseInt((await count.textContent())!, 10);
      const total = page.getByTestId('my-total');
      const totalBefore = (await total.textContent())!;
      await button.tap();
      const toast = page.getByRole('status');
      await expect(toast).toContainText('Logged: Meeting');
      await expect(count).toHaveText(`${before + 1} today`);
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${SHOTS}/phone-undo-${width}.png` });
      await toast.getByRole('button', { name: 'Undo' }).tap();
      await expect(count).toHaveText(`${before} today`);
      await expect(total).toHaveText(totalBefore);
    });

    test('a rep edits an activity of today; a bad duration keeps what was typed', async ({ page }) => {
      await signIn(page);
      const calls = page.locator('button.log-button[data-type="call"]').getByTestId('today-count');
      const before = parseInt((await calls.textContent())!, 10);
      await page.locator('button.log-button[data-type="call"]').tap();
      await expect(page.getByRole('status')).toContainText('Logged: Call');
      // The list has reloaded with the new call once its button counts it.
      await expect(calls).toHaveText(`${before + 1} today`);
      const first = page.locator('ul.today li').first();
      await expect(first).toContainText('Call');
      await first.locator('summary', { hasText: 'Edit' }).tap();
      const note = `Voicemail for the buyer ${width}`;
      await first.getByLabel('Note').fill(note);
      await first.getByLabel('Minutes').fill('ten');
      await first.getByLabel('Account').fill('Acme Logistics');
      await first.getByRole('button', { name: 'Save' }).tap();
      await expect(first.locator('.field-error[data-field="duration_minutes"]')).toBeVisible();
      await expect(first.getByLabel('Note')).toHaveValue(note);
      await expect(first.getByLabel('Account')).toHaveValue('Acme Logistics');
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${SHOTS}/phone-edit-error-${width}.png`, fullPage: true, style: WHOLE_PAGE });
      await first.getByLabel('Minutes').fill('10');
      await first.getByRole('button', { name: 'Save' }).tap();
      await expect(page.getByRole('status')).toContainText('Saved.');
      await expect(page.locator('ul.today li').first()).toContainText(`${note} · Acme Logistics · 10 min`);
    });

    test('delete offers an undo, and deletes once the undo is gone', async ({ page }) => {
      await signIn(page);
      const emails = page.locator('button.log-button[data-type="email"]').getByTestId('today-count');
      const before = parseInt((await emails.textContent())!, 10);
      await page.locator('button.log-button[data-type="email"]').tap();
      await expect(page.getByRole('status')).toContainText('Logged: Email');
      await expect(emails).toHaveText(`${before + 1} today`);
      const items = page.locator('ul.today li:visible');
      const n = await items.count();
      await items.first().getByRole('button', { name: /^Delete/ }).tap();
      const toast = page.getByRole('status');
      await expect(toast).toContainText('Deleted: Email');
      await expect(items).toHaveCount(n - 1);
      await toast.getByRole('button', { name: 'Undo' }).tap();
      await expect(items).toHaveCount(n);
      const sent = page.waitForResponse((r) => r.url().includes('/api/delete_activity'), { timeout: 15_000 });
      await items.first().getByRole('button', { name: /^Delete/ }).tap();
      await expect(items).toHaveCount(n - 1);
      await expect(emails).toHaveText(`${before} today`);
      // The undo runs out; the delete is sent and survives a reload.
      expect((await sent).status()).toBe(200);
      await expect(toast).toBeEmpty({ timeout: 10_000 });
      await page.reload();
      await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
      await expect(page.locator('ul.today li')).toHaveCount(n - 1);
    });
  });
}
