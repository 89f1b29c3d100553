import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';

// The rep's phone at the two widths that matter: the scorecard reads as cards, nothing
// scrolls sideways.
const REP = { email: 'sam.rivera@demo.pacesetter.test', password: 'demo-rep-password' };
const SHOTS = 'screenshots';
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
      await expect(page.getByTestId('my-rank')).toHaveText(/#\d+ of \d+|not ranked/);
      await expect(page.getByText(/Index .* \/ 10/)).toBeVisible();
      await expect(page.getByRole('heading', { name: 'Why this score' })).toBeVisible();
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${SHOTS}/phone-me-${width}.png`, fullPage: true });
    });
  });
}
