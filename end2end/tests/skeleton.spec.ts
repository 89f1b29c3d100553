import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';

const REP = { email: 'sam.rivera@demo.pacesetter.test', password: 'demo-rep-password', name: 'Sam Rivera' };
const SHOTS = 'screenshots';
// A full-page shot shows what scrolling reveals: below the fold, /me lays its entries and
// cards out only as they come near the screen (content-visibility), which a shot taken
// without scrolling would show as blanks.
const WHOLE_PAGE = '* { content-visibility: visible !important; }';
fs.mkdirSync(SHOTS, { recursive: true });

async function signIn(page: Page, next = '/me') {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(REP.email);
  await page.getByLabel('Password').fill(REP.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next);
}

function points(text: string | null): number {
  return Math.round(parseFloat((text ?? '').replace(/,/g, '')) * 100);
}

test.describe('phone, JavaScript on', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });

  test('a rep logs a call and sees score and leaderboard change without a reload', async ({ page }) => {
    await signIn(page);
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
    // Each page names itself in the tab (and to screen readers).
    await expect(page).toHaveTitle('My score · Pacesetter');
    const total = page.getByTestId('my-total');
    await expect(total).toBeVisible();
    const before = points(await total.textContent());
    const callButton = page.locator('button.log-button[data-type="call"]');
    const weight = points((await callButton.locator('.weight').textContent())!.replace('+', ''));
    expect(weight).toBeGreaterThan(0);

    // Mark the page: a full reload would lose this.
    await page.evaluate(() => ((window as any).__noReload = true));
    await callButton.tap();
    await expect(page.getByRole('status')).toContainText('Logged: Call');
    await expect(total).toHaveText(((before + weight) / 100).toFixed(2));
    await expect(page.locator('ul.today li').first()).toContainText('Call');
    // The scorecard below agrees with the new total (it reloads after each log).
    const scoreLine = page.locator('[data-metric="activity_score"]');
    await expect(scoreLine).toContainText(((before + weight) / 100).toFixed(2));
    await page.screenshot({ path: `${SHOTS}/phone-me.png`, fullPage: true, style: WHOLE_PAGE });

    // Client-side navigation to the leaderboard: the new total is there, no reload happened.
    await page.getByRole('link', { name: 'Leaderboard →' }).click();
    await page.waitForURL('**/');
    const row = page.locator('table.leaderboard tbody tr', { hasText: REP.name });
    await expect(row.locator('td.points')).toHaveText(((before + weight) / 100).toFixed(2));
    await expect(page).toHaveTitle('Leaderboard · Pacesetter');
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
    await page.screenshot({ path: `${SHOTS}/phone-leaderboard.png`, fullPage: true });
  });

  test('wrong password keeps the email typed and says why', async ({ page }) => {
    await page.goto('/login');
    await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
    await page.getByLabel('Email').fill(REP.email);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toContainText('Wrong email or password');
    await expect(page.getByLabel('Email')).toHaveValue(REP.email);
  });

  test('signed-out visitors are sent to sign in', async ({ page }) => {
    await page.goto('/me');
    await page.waitForURL('**/login?next=/me');
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  });
});

test.describe('JavaScript off (server rendering only)', () => {
  test.use({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });

  test('sign-in, the leaderboard and quick log work from plain HTML', async ({ page }) => {
    await signIn(page, '/');
    await expect(page).toHaveTitle('Leaderboard · Pacesetter');
    const rows = page.locator('table.leaderboard tbody tr');
    await expect(rows).toHaveCount(24);
    await expect(rows.first().locator('td.rank')).toHaveText('1');
    await page.goto('/me');
    const before = points(await page.getByTestId('my-total').textContent());
    // A plain form post: the server stores it and sends the browser back to this page.
    await page.locator('button.log-button[data-type="meeting"]').click();
    await expect(page.getByTestId('my-total')).toHaveText(((before + 500) / 100).toFixed(2));
    expect(new URL(page.url()).pathname).toBe('/me');
  });
});

test.describe('office TV', () => {
  test.use({ viewport: { width: 1920, height: 1080 } });

  test('the display link shows the leaderboard without sign-in', async ({ page }) => {
    const tvPath = process.env.TV_PATH;
    expect(tvPath, 'TV_PATH is set by scripts/e2e.sh').toBeTruthy();
    await page.goto(tvPath!);
    await expect(page.locator('.tv-board li')).toHaveCount(12);
    await expect(page.locator('.tv-org')).toHaveText('Northwind Demo Sales');
    await page.screenshot({ path: `${SHOTS}/tv.png` });
    await page.goto('/tv/not-a-real-token');
    await expect(page.locator('.tv-status')).toContainText('not valid');
  });
});
