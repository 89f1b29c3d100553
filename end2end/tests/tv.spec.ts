import { test, expect, Page, Browser } from '@playwright/test';
import * as fs from 'fs';

// The office TV plays its display's rotation on one screen, at 1080p and 4K: every slide
// fits (24 reps), the ranking pages through every rep, nothing scrolls.
const SHOTS = 'screenshots';
fs.mkdirSync(SHOTS, { recursive: true });

async function open(browser: Browser, path: string, width: number, height: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.goto(path);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  return page;
}

/** Everything on screen: no scrollbar, nothing below the fold or clipped in the slide. */
async function checkFits(tv: Page, what: string) {
  const m = await tv.evaluate(() => {
    const body = document.querySelector('.tv-body') as HTMLElement;
    let lowest = 0;
    let widest = 0;
    document.querySelectorAll('.tv-screen *').forEach((el) => {
      const r = el.getBoundingClientRect();
      if (r.height > 0) lowest = Math.max(lowest, r.bottom);
      if (r.width > 0) widest = Math.max(widest, r.right);
    });
    return {
      scrollHeight: document.documentElement.scrollHeight,
      scrollWidth: document.documentElement.scrollWidth,
      innerHeight: window.innerHeight,
      innerWidth: window.innerWidth,
      bodyScroll: body.scrollHeight,
      bodyClient: body.clientHeight,
      lowest,
      widest,
    };
  });
  expect(m.scrollHeight, `${what}: page height`).toBeLessThanOrEqual(m.innerHeight);
  expect(m.scrollWidth, `${what}: page width`).toBeLessThanOrEqual(m.innerWidth);
  expect(m.bodyScroll, `${what}: slide content taller than its room`).toBeLessThanOrEqual(m.bodyClient + 1);
  expect(m.lowest, `${what}: something below the screen`).toBeLessThanOrEqual(m.innerHeight);
  expect(m.widest, `${what}: something right of the screen`).toBeLessThanOrEqual(m.innerWidth);
}

/** Waits for every frame of the rotation in turn, checking and photographing each. */
async function playRotation(tv: Page, tag: string, slideSeconds: number) {
  const position = tv.locator('.tv-position');
  const first = (await position.textContent())!.trim();
  const m = first.match(/^1 \/ (\d+)$/);
  expect(m, `position mark "${first}"`).not.toBeNull();
  const frames = Number(m![1]);
  const ranked = new Set<string>();
  let rankedTotal = 0;
  const slides: string[] = [];
  for (let k = 1; k <= frames; k++) {
    await expect(position).toHaveText(`${k} / ${frames}`, { timeout: (slideSeconds + 3) * 1000 });
    const screen = tv.locator('.tv-screen');
    const slide = (await screen.getAttribute('data-slide'))!;
    const page = (await screen.getAttribute('data-page'))!;
    slides.push(slide);
    if (slide === 'ranking') {
      for (const name of await tv.locator('.tv-board li .tv-name').allTextContents()) ranked.add(name.trim());
      expect(await tv.locator('.tv-board li').count()).toBeLessThanOrEqual(12);
      const mark = await tv.locator('.tv-page').textContent();
      rankedTotal = Number(mark!.match(/of (\d+)/)![1]);
    }
    if (slide === 'turnover') {
      await expect(tv.locator('.tv-gauge canvas').first()).toBeVisible({ timeout: 4_000 });
      await tv.waitForTimeout(400);
    }
    await checkFits(tv, `${tag} ${slide} page ${page}`);
    await tv.screenshot({ path: `${SHOTS}/tv-${tag}-${slide}-${Number(page) + 1}.png` });
  }
  // Round again: the rotation loops.
  await expect(position).toHaveText(`1 / ${frames}`, { timeout: (slideSeconds + 3) * 1000 });
  return { slides, ranked, rankedTotal };
}

test('the default TV shows the first ranking page, legible, on one screen', async ({ browser }) => {
  const tvPath = process.env.TV_PATH!;
  expect(tvPath, 'TV_PATH is set by scripts/e2e.sh').toBeTruthy();
  const tv = await open(browser, tvPath, 1920, 1080);
  await expect(tv.locator('.tv-screen')).toHaveAttribute('data-slide', 'ranking');
  await expect(tv.locator('.tv-board li')).toHaveCount(12);
  await expect(tv.locator('.tv-page')).toHaveText('1–12 of 24');
  await expect(tv.locator('.tv-position')).toHaveText(/^1 \/ \d+$/);
  const sizes = await tv.evaluate(() =>
    ['.tv-name', '.tv-points', '.tv-index', '.tv-legend', '.tv-period', '.tv-position'].map((s) =>
      parseFloat(getComputedStyle(document.querySelector(s)!).fontSize),
    ),
  );
  for (const size of sizes) expect(size).toBeGreaterThanOrEqual(28);
  expect(await tv.evaluate(() => getComputedStyle(document.querySelector('.tv-board li')!).cursor)).toBe('none');
  await expect(tv.locator('.tv-reconnecting')).toHaveCount(0);
  await checkFits(tv, 'default TV');
});

test('a display with five-second slides rotates through every slide and every rep, at 1080p and 4K', async ({ browser }) => {
  test.setTimeout(240_000);
  const admin = await open(browser, '/login?next=%2Fadmin%2Fdisplays', 1440, 900);
  await admin.getByLabel('Email').fill('admin@demo.pacesetter.test');
  await admin.getByLabel('Password').fill('demo-admin-password');
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.waitForURL((url) => url.pathname === '/admin/displays');
  await expect(admin.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  const form = admin.locator('form.display-form').first();
  await form.getByLabel('Name').fill('Rotation wall');
  await form.getByLabel('Seconds per slide').fill('5');
  for (const slide of ['Most improved', 'Personal bests', 'Weighted pipeline']) {
    await form.getByLabel(slide, { exact: false }).uncheck();
  }
  await form.getByRole('button', { name: 'Create display link' }).click();
  const secret = admin.getByTestId('new-secret');
  await expect(secret).toHaveText(/\/tv\/[0-9a-f]{64}$/);
  const path = (await secret.textContent())!.trim();

  const [hd, uhd] = await Promise.all([open(browser, path, 1920, 1080), open(browser, path, 3840, 2160)]);
  const [a, b] = await Promise.all([playRotation(hd, '1080p', 5), playRotation(uhd, '4k', 5)]);
  for (const run of [a, b]) {
    expect(new Set(run.slides)).toEqual(new Set(['ranking', 'scorecards', 'team_race', 'recent_wins', 'turnover']));
    expect(run.rankedTotal).toBe(24);
    expect(run.ranked.size, 'every rep appears across the ranking pages').toBe(24);
  }
});

test('a private display shows no money on any slide', async ({ browser }) => {
  test.setTimeout(180_000);
  const admin = await open(browser, '/login?next=%2Fadmin%2Fdisplays', 1440, 900);
  await admin.getByLabel('Email').fill('admin@demo.pacesetter.test');
  await admin.getByLabel('Password').fill('demo-admin-password');
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.waitForURL((url) => url.pathname === '/admin/displays');
  await expect(admin.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  const form = admin.locator('form.display-form').first();
  await form.getByLabel('Name').fill('Private wall');
  await form.getByLabel('Seconds per slide').fill('5');
  for (const slide of ['Activity ranking', 'Scorecard attainment', 'Most improved', 'Personal bests', 'Weighted pipeline']) {
    await form.getByLabel(slide, { exact: false }).uncheck();
  }
  await form.getByLabel('Privacy mode', { exact: false }).check();
  await form.getByRole('button', { name: 'Create display link' }).click();
  const secret = admin.getByTestId('new-secret');
  await expect(secret).toHaveText(/\/tv\/[0-9a-f]{64}$/);
  const tv = await open(browser, (await secret.textContent())!.trim(), 1920, 1080);
  const position = tv.locator('.tv-position');
  await expect(position).toHaveText('1 / 3');
  const seen: string[] = [];
  for (let k = 1; k <= 3; k++) {
    await expect(position).toHaveText(`${k} / 3`, { timeout: 8_000 });
    const slide = (await tv.locator('.tv-screen').getAttribute('data-slide'))!;
    seen.push(slide);
    if (slide === 'turnover') await tv.waitForTimeout(800);
    const text = await tv.locator('.tv').innerText();
    expect(text, `${slide}: no currency`).not.toMatch(/EUR|USD|€|\$|£/);
    if (slide === 'recent_wins') {
      await expect(tv.locator('.tv-wins li').first()).toBeVisible();
      await expect(tv.locator('.tv-amount:not(:empty)')).toHaveCount(0);
    }
    if (slide === 'turnover') await tv.screenshot({ path: `${SHOTS}/tv-private-turnover.png` });
  }
  expect(seen).toEqual(['team_race', 'recent_wins', 'turnover']);
});
