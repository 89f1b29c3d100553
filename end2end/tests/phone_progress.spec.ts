import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';

// The rep's progress on a phone: rank on the team and what it takes on /me (no chart, so no
// ECharts), the trend chart with its table, the weekly report with its CSV and print view,
// the history by period.
const REP = { email: 'sam.rivera@demo.pacesetter.test', password: 'demo-rep-password' };
const SHOTS = 'screenshots';
// A full-page shot shows what scrolling reveals: below the fold, /me and the history lay
// their entries out only as they come near the screen (content-visibility), which a shot
// taken without scrolling would show as blanks.
const WHOLE_PAGE = '* { content-visibility: visible !important; }';
fs.mkdirSync(SHOTS, { recursive: true });

async function signIn(page: Page, next = '/me') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(REP.email);
  await page.getByLabel('Password').fill(REP.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next);
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
  test.describe(`progress ${width}×${height}`, () => {
    test.use({ viewport: { width, height }, isMobile: true, hasTouch: true });

    test('/me shows the rank on the team and what it takes, and loads no ECharts', async ({ page }) => {
      const echarts: string[] = [];
      page.on('request', (r) => { if (r.url().includes('/echarts/')) echarts.push(r.url()); });
      await signIn(page);
      await expect(page.getByTestId('my-rank')).toHaveText(/^\d+(st|nd|rd|th) of \d+ on \w+ · \d+(st|nd|rd|th) of \d+ overall$/);
      const needs = page.getByTestId('what-it-takes');
      await expect(needs.first()).toBeVisible();
      await expect(needs.first()).toContainText(/more a day until the \d+(st|nd|rd|th)|more today to reach the target|Target reached|no working day left/);
      const nav = page.getByRole('navigation', { name: 'My pages' });
      await expect(nav.getByRole('link', { name: 'Log' })).toHaveAttribute('aria-current', 'page');
      await expectNoSidewaysScroll(page);
      await page.locator('.role-scorecard').scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${SHOTS}/progress-me-${width}.png`, fullPage: true, style: WHOLE_PAGE });
      await page.waitForTimeout(500);
      expect(echarts, 'no ECharts on /me').toEqual([]);
      expect(await page.evaluate(() => 'echarts' in window)).toBe(false);
    });

    test('/me/progress draws the trend with charming and has the table alternative', async ({ page }) => {
      await signIn(page, '/me/progress');
      await expect(page.locator('#trend-chart canvas').first()).toBeVisible({ timeout: 30_000 });
      const table = page.getByTestId('trend-table');
      await expect(table.locator('tbody tr')).toHaveCount(6);
      await expect(table.locator('thead')).toContainText(/Median of \w+/);
      await expect(page.getByTestId('personal-best')).toHaveText(/Your best: [\d.]+ points in|New personal best|No closed period/);
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${SHOTS}/progress-trend-${width}.png`, fullPage: true });
      // Weeks instead of months.
      await page.getByRole('link', { name: 'Weeks' }).tap();
      await expect(table.locator('tbody tr').first()).toContainText('Week');
      await expect(page.locator('#trend-chart canvas').first()).toBeVisible();
    });

    test('/me/report compares this week with the average week, prints and downloads as CSV', async ({ page }) => {
      await signIn(page, '/me/report');
      const table = page.getByTestId('report-table');
      await expect(table).toBeVisible();
      expect(await table.locator('tbody tr').count()).toBeGreaterThan(1);
      await expect(page.getByTestId('report-share')).toHaveText(/Points this week: (\d+% of an average week so far|no average week to compare with)\./);
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${SHOTS}/progress-report-${width}.png`, fullPage: true });
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('report-csv').tap(),
      ]);
      expect(download.suggestedFilename()).toMatch(/^weekly-report-\d{4}-\d{2}-\d{2}\.csv$/);
      const text = fs.readFileSync((await download.path())!, 'utf8');
      const lines = text.trim().split('\n');
      expect(lines[0]).toBe('activity_type,label,week_start,week_count,week_points,average_week_count,average_week_points,window');
      expect(lines.length).toBe(1 + (await table.locator('tbody tr').count()));
      await page.emulateMedia({ media: 'print' });
      await expect(page.locator('.topbar')).toBeHidden();
      await expect(page.getByRole('navigation', { name: 'My pages' })).toBeHidden();
      await expect(page.getByTestId('report-csv')).toBeHidden();
      await expect(table).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/progress-report-print-${width}.png`, fullPage: true });
      await page.emulateMedia({ media: 'screen' });
    });

    test('/me/history lists own activities by period', async ({ page }) => {
      await signIn(page, '/me/history');
      await expect(page.getByTestId('history-summary')).toContainText('Week');
      await page.getByRole('link', { name: 'Last month' }).tap();
      await expect(page.getByTestId('history-summary')).toContainText(/activit/);
      await expect(page.locator('ul.history li').first()).toBeVisible();
      await expectNoSidewaysScroll(page);
      await page.screenshot({ path: `${SHOTS}/progress-history-${width}.png`, fullPage: true, style: WHOLE_PAGE });
    });
  });
}
