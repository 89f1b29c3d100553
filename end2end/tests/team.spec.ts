import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';

// The sales manager's view: a demo manager opens /team, sees the five indicators with their
// charts drawn, switches period, drills into a rep; a rep is turned away.
const SHOTS = 'screenshots';
fs.mkdirSync(SHOTS, { recursive: true });

const MANAGER = 'manager.atlas@demo.pacesetter.test';
const REP = 'sam.rivera@demo.pacesetter.test';
const PASSWORD = 'demo-rep-password';

async function signIn(page: Page, email: string, next: string) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
}

const CHARTS = ['team-gauge', 'team-trend', 'team-pipeline', 'team-lost', 'team-effort'];

async function chartsDrawn(page: Page) {
  for (const id of CHARTS) {
    await expect(page.locator(`#${id} canvas`).first(), `${id} drawn`).toBeVisible({ timeout: 30_000 });
  }
}

test('a manager reads the five indicators, switches period and drills into a rep', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, MANAGER, '/team');
  await expect(page.getByRole('link', { name: 'Team', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Atlas');
  for (const id of ['turnover', 'sellers', 'pipeline', 'activity', 'lost', 'side', 'coaching', 'coverage']) {
    await expect(page.getByTestId(id)).toBeVisible();
  }
  await expect(page.getByRole('heading', { name: 'Turnover vs objective' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Turnover per seller' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Weighted pipeline' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Activity rate' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Lost business' })).toBeVisible();
  await chartsDrawn(page);
  // Every chart has its words for screen readers.
  for (const id of CHARTS) {
    await expect(page.locator(`#${id}`)).toHaveAttribute('aria-label', /.+/);
  }
  // Only Atlas (other specs move reps between teams, so no fixed count): its reps, nobody
  // else's, and the manager has no team switch.
  await expect(page.locator('[data-testid="sellers"] tbody tr').first()).toBeVisible();
  await expect(page.locator('[data-testid="sellers"] tbody tr', { hasText: 'Hannah Cole' })).toHaveCount(1);
  await expect(page.locator('[data-testid="sellers"] tbody tr', { hasText: 'Omar Haddad' })).toHaveCount(0);
  await expect(page.getByTestId('team-switch')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/team-1440.png`, fullPage: false });
  await page.screenshot({ path: `${SHOTS}/team-1440-full.png`, fullPage: true });

  // A CSV of a table, for the manager's own team.
  const csv = await page.request.get('/export/team/turnover.csv?period=month');
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toContain('vs_objective');

  // Switch to the quarter.
  await page.getByRole('link', { name: 'Quarter', exact: true }).click();
  await page.waitForURL((url) => url.search.includes('period=quarter'));
  await expect(page.getByRole('link', { name: 'Quarter', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.locator('.team-head .period-label')).toContainText(/Q\d/);
  await chartsDrawn(page);

  // Drill into the first rep for a one-to-one.
  const first = page.locator('[data-testid="sellers"] tbody tr').first();
  const name = (await first.locator('th').first().innerText()).split('\n')[0].replace(/[▼▲].*$/, '').trim();
  await first.getByTestId('drill').click();
  await page.waitForURL((url) => url.pathname.startsWith('/team/rep/'));
  await expect(page.getByTestId('rep-name')).toContainText(name);
  await expect(page.getByRole('heading', { name: 'Scorecard' })).toBeVisible();
  await expect(page.locator('#rep-trend canvas').first()).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: `${SHOTS}/team-rep-1440.png`, fullPage: false });
});

test('an admin compares the teams of the whole organisation and opens one', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/login?next=%2Fteam');
  await page.getByLabel('Email').fill('admin@demo.pacesetter.test');
  await page.getByLabel('Password').fill('demo-admin-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/team');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByRole('heading', { level: 1 })).toContainText('(all teams)');
  const teams = page.getByTestId('teams');
  await expect(teams.getByRole('heading', { name: 'Teams side by side' })).toBeVisible();
  await expect(teams.locator('tbody tr[data-team="Atlas"]')).toHaveCount(1);
  // The demo organisation is small enough to list every rep as well.
  await expect(page.getByTestId('teams-only')).toHaveCount(0);
  await expect(page.getByTestId('sellers')).toBeVisible();
  await chartsDrawn(page);
  await teams.screenshot({ path: `${SHOTS}/team-org-teams-1440.png` });
  const csv = await page.request.get('/export/team/teams.csv?period=month');
  expect(csv.status()).toBe(200);
  expect(await csv.text()).toMatch(/^team,reps,won,objective,vs_objective/);
  // Open a team from its row: that team's own view, without the comparison.
  await teams.locator('tbody tr[data-team="Atlas"]').getByTestId('open-team').click();
  await page.waitForURL((url) => url.searchParams.get('team') === 'Atlas');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Atlas');
  await expect(page.getByTestId('teams')).toHaveCount(0);
  await expect(page.locator('[data-testid="sellers"] tbody tr', { hasText: 'Hannah Cole' })).toHaveCount(1);
});

test('the team view reads on a tablet at 1024×768', async ({ page }) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  await signIn(page, MANAGER, '/team');
  await chartsDrawn(page);
  const widths = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
  expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
  await page.screenshot({ path: `${SHOTS}/team-1024.png`, fullPage: false });
  await page.emulateMedia({ media: 'print' });
  await expect(page.locator('.topbar')).toBeHidden();
  await page.screenshot({ path: `${SHOTS}/team-print.png`, fullPage: true });
});

test('a rep who types /team is turned away', async ({ page }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, REP, '/me');
  await expect(page.getByRole('link', { name: 'Team', exact: true })).toHaveCount(0);
  await page.goto('/team');
  await expect(page.getByTestId('forbidden')).toBeVisible();
  await expect(page.locator('[data-testid="turnover"]')).toHaveCount(0);
  await expect(page.locator('canvas')).toHaveCount(0);
});
