import { test, expect, Page, Browser, BrowserContext } from '@playwright/test';
import * as fs from 'fs';

// The office TV plays its display's rotation on one screen, at 1080p and 4K: every slide
// fits (24 reps), the ranking pages through every rep, nothing scrolls.
const SHOTS = 'screenshots';
fs.mkdirSync(SHOTS, { recursive: true });

// The contexts a test opened: closed after it, so no TV of one test keeps its live stream
// and keeps refetching through the tests after it.
const opened: BrowserContext[] = [];
test.afterEach(async () => {
  for (const context of opened.splice(0)) await context.close();
});

async function open(browser: Browser, path: string, width: number, height: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  opened.push(context);
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

const ALL_SLIDES = ['ranking', 'scorecards', 'team_race', 'most_improved', 'personal_bests', 'recent_wins', 'pipeline', 'turnover'];
const CURRENCY = /EUR|USD|GBP|€|\$|£/;

/** Every visible text on the slide is at least 28 px at 1080p (and scales up at 4K). */
async function checkTextSizes(tv: Page, what: string) {
  const small = await tv.evaluate(() => {
    const minimum = 28 * (window.innerHeight / 1080);
    const out: string[] = [];
    document.querySelectorAll('.tv-screen *').forEach((el) => {
      const own = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent!.trim() !== '');
      const r = el.getBoundingClientRect();
      if (!own || r.width <= 1 || r.height <= 1) return;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < minimum - 0.5) out.push(`${el.className || el.tagName}: ${size}px "${el.textContent!.trim().slice(0, 30)}"`);
    });
    return out;
  });
  expect(small, `${what}: text under 28 px at 1080p`).toEqual([]);
}

async function api(browser: Browser, method: 'post', path: string, body: unknown) {
  const context = await browser.newContext();
  const res = await context.request[method](path, {
    headers: { Authorization: `Bearer ${process.env.API_TOKEN}` },
    data: body,
  });
  expect(res.status(), `${path}: ${await res.text()}`).toBeLessThan(300);
  await context.close();
}

async function adminDisplay(browser: Browser, name: string, opts: { seconds?: string; privacy?: boolean; sound?: boolean; only?: string[] }) {
  const admin = await open(browser, '/login?next=%2Fadmin%2Fdisplays', 1440, 900);
  await admin.getByLabel('Email').fill('admin@demo.pacesetter.test');
  await admin.getByLabel('Password').fill('demo-admin-password');
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.waitForURL((url) => url.pathname === '/admin/displays');
  await expect(admin.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  const form = admin.locator('form.display-form').first();
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Seconds per slide').fill(opts.seconds ?? '20');
  if (opts.only) {
    for (const box of await form.locator('fieldset.slides input[type="checkbox"]').all()) {
      const key = await box.getAttribute('value');
      if (opts.only.includes(key!)) await box.check();
      else await box.uncheck();
    }
  }
  if (opts.privacy) await form.getByLabel('Privacy mode', { exact: false }).check();
  if (opts.sound) await form.getByLabel('Play a sound', { exact: false }).check();
  await form.getByRole('button', { name: 'Create display link' }).click();
  const secret = admin.getByTestId('new-secret');
  await expect(secret).toHaveText(/\/tv\/[0-9a-f]{64}$/);
  const path = new URL((await secret.textContent())!.trim()).pathname;
  await admin.context().close();
  return path;
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
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
    if (slide === 'turnover' || slide === 'pipeline') {
      await expect(tv.locator('.tv-gauge canvas').first()).toBeVisible({ timeout: 4_000 });
      await tv.waitForTimeout(400);
    }
    await checkFits(tv, `${tag} ${slide} page ${page}`);
    await checkTextSizes(tv, `${tag} ${slide} page ${page}`);
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
  test.setTimeout(300_000);
  const admin = await open(browser, '/login?next=%2Fadmin%2Fdisplays', 1440, 900);
  await admin.getByLabel('Email').fill('admin@demo.pacesetter.test');
  await admin.getByLabel('Password').fill('demo-admin-password');
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.waitForURL((url) => url.pathname === '/admin/displays');
  await expect(admin.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  const form = admin.locator('form.display-form').first();
  await form.getByLabel('Name').fill('Rotation wall');
  await form.getByLabel('Seconds per slide').fill('5');
  await form.getByRole('button', { name: 'Create display link' }).click();
  const secret = admin.getByTestId('new-secret');
  await expect(secret).toHaveText(/\/tv\/[0-9a-f]{64}$/);
  const path = (await secret.textContent())!.trim();

  const [hd, uhd] = await Promise.all([open(browser, path, 1920, 1080), open(browser, path, 3840, 2160)]);
  const [a, b] = await Promise.all([playRotation(hd, '1080p', 5), playRotation(uhd, '4k', 5)]);
  for (const run of [a, b]) {
    expect(new Set(run.slides)).toEqual(new Set(ALL_SLIDES));
    expect(run.rankedTotal).toBe(24);
    expect(run.ranked.size, 'every rep appears across the ranking pages').toBe(24);
  }
});

test('a private display shows no money on any slide, its celebration included', async ({ browser }) => {
  test.setTimeout(240_000);
  const path = await adminDisplay(browser, 'Private wall', { seconds: '5', privacy: true });
  const tv = await open(browser, path, 1920, 1080);
  const position = tv.locator('.tv-position');
  const frames = Number((await position.textContent())!.match(/^1 \/ (\d+)$/)![1]);
  const seen = new Set<string>();
  for (let k = 1; k <= frames; k++) {
    await expect(position).toHaveText(`${k} / ${frames}`, { timeout: 8_000 });
    const slide = (await tv.locator('.tv-screen').getAttribute('data-slide'))!;
    seen.add(slide);
    if (slide === 'turnover' || slide === 'pipeline') await tv.waitForTimeout(800);
    const text = await tv.locator('.tv').innerText();
    expect(text, `${slide}: no currency`).not.toMatch(CURRENCY);
    if (slide === 'recent_wins') {
      await expect(tv.locator('.tv-wins li').first()).toBeVisible();
      await expect(tv.locator('.tv-amount:not(:empty)')).toHaveCount(0);
    }
    if (slide === 'turnover' || slide === 'pipeline') await tv.screenshot({ path: `${SHOTS}/tv-private-${slide}.png` });
  }
  expect(seen).toEqual(new Set(ALL_SLIDES));
  // The chart's hidden text alternative has no amount either.
  expect(await tv.evaluate(() => document.body.innerText)).not.toMatch(CURRENCY);

  // A deal is won: the celebration names the rep, never the amount.
  await api(browser, 'post', '/api/v1/deals', {
    rep_email: 'sam.rivera@demo.pacesetter.test', name: 'Private win', account: 'Umbrella', amount: 7_654_300,
    currency: 'EUR', status: 'won', created_on: today(), closed_on: today(),
  });
  const party = tv.locator('.tv-celebration');
  await expect(party).toBeVisible({ timeout: 2_000 });
  await expect(party).toContainText('Sam Rivera');
  await expect(party).toContainText('Umbrella');
  expect(await party.innerText()).not.toMatch(CURRENCY);
  expect(await party.innerText()).not.toContain('76,543');
  await expect(tv.locator('.tv-cele-amount')).toHaveCount(0);
  await tv.screenshot({ path: `${SHOTS}/tv-private-celebration.png` });
});

test('an activity and a won deal reach an open TV within a second, with a celebration', async ({ browser }) => {
  test.setTimeout(120_000);
  const path = await adminDisplay(browser, 'Party wall', { seconds: '60', sound: true, only: ['ranking', 'recent_wins'] });
  const tv = await open(browser, path, 1920, 1080);
  await tv.evaluate(() => ((window as any).__noReload = true));
  await expect(tv.locator('.tv-screen')).toHaveAttribute('data-slide', 'ranking');
  const leader = tv.locator('.tv-board li').first();
  const name = (await leader.locator('.tv-name').textContent())!.trim();
  const before = Number((await leader.locator('.tv-points').textContent())!.replace(/,/g, ''));
  const email = `${name.toLowerCase().replace(/ /g, '.')}@demo.pacesetter.test`;

  // A second context (the CRM) logs three calls for the leader.
  await api(browser, 'post', '/api/v1/activities/batch', {
    items: [0, 1, 2].map(() => ({ rep_email: email, type: 'call', occurred_at: new Date().toISOString() })),
  });
  const logged = Date.now();
  await expect
    .poll(async () => Number((await leader.locator('.tv-points').textContent())!.replace(/,/g, '')), { timeout: 1_000, intervals: [50] })
    .toBeGreaterThan(before);
  console.log(`activity shown ${Date.now() - logged} ms after the API answered`);

  // A won deal: full-screen celebration with the rep and the amount, then the rotation resumes.
  const mark = (await tv.locator('.tv-position').textContent())!.trim();
  await api(browser, 'post', '/api/v1/deals', {
    rep_email: email, name: 'E2E party', account: 'Initech', amount: 4_321_000,
    currency: 'EUR', status: 'won', created_on: today(), closed_on: today(),
  });
  const won = Date.now();
  const party = tv.locator('.tv-celebration');
  // Checked every 50 ms (an expectation's own retries wait up to 500 ms between looks).
  await expect.poll(() => party.isVisible(), { timeout: 1_000, intervals: [50] }).toBe(true);
  console.log(`celebration shown ${Date.now() - won} ms after the API answered`);
  await expect(party.locator('.tv-cele-rep')).toHaveText(name);
  await expect(party.locator('.tv-cele-account')).toHaveText('Initech');
  await expect(party.locator('.tv-cele-amount')).toHaveText('EUR 43,210');
  for (const sel of ['.tv-cele-kicker', '.tv-cele-rep', '.tv-cele-account', '.tv-cele-amount']) {
    expect(parseFloat(await tv.locator(sel).evaluate((el) => getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(28);
  }
  // The display has sound on: the chime was made (headless Chromium allows audio here).
  await expect(tv.locator('.tv')).toHaveAttribute('data-chimes', '1');
  await tv.waitForTimeout(700);
  await tv.screenshot({ path: `${SHOTS}/tv-celebration-1080p.png` });
  await expect(party).toHaveCount(0, { timeout: 8_000 });
  await expect(tv.locator('.tv-position')).toHaveText(mark);
  // The win is on the board now, without a reload.
  expect(await tv.evaluate(() => (window as any).__noReload)).toBe(true);

  // Reduced motion: the celebration shows without animation.
  const calm = await browser.newContext({ viewport: { width: 3840, height: 2160 }, reducedMotion: 'reduce' });
  opened.push(calm);
  const tv4k = await calm.newPage();
  await tv4k.goto(path);
  await expect(tv4k.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await tv4k.waitForTimeout(500);
  await api(browser, 'post', '/api/v1/deals', {
    rep_email: email, name: 'E2E party 2', account: 'Globex', amount: 120_000,
    currency: 'EUR', status: 'won', created_on: today(), closed_on: today(),
  });
  const calmParty = tv4k.locator('.tv-celebration');
  await expect(calmParty).toBeVisible({ timeout: 2_000 });
  expect(await calmParty.locator('.tv-cele-card').evaluate((el) => getComputedStyle(el).animationName)).toBe('none');
  expect(await tv4k.locator('.tv-confetti').evaluate((el) => getComputedStyle(el).display)).toBe('none');
  await tv4k.screenshot({ path: `${SHOTS}/tv-celebration-4k.png` });
});

test('the TV reloads itself when the server runs a new build', async ({ browser }) => {
  const tv = await open(browser, process.env.TV_PATH!, 1920, 1080);
  await tv.evaluate(() => ((window as any).__loaded = true));
  // From now on the server answers as a new build would.
  await tv.route('**/api/tv_show*', async (route) => {
    const res = await route.fetch();
    const show = await res.json();
    show.build = 'a-newer-build';
    await route.fulfill({ response: res, json: show });
  });
  const reloaded = tv.waitForEvent('load', { timeout: 10_000 });
  await api(browser, 'post', '/api/v1/activities', {
    rep_email: 'sam.rivera@demo.pacesetter.test', type: 'call', occurred_at: new Date().toISOString(),
  });
  await reloaded;
  expect(await tv.evaluate(() => (window as any).__loaded)).toBeUndefined();
  await tv.unroute('**/api/tv_show*');
});
