import { test, expect, Page, BrowserContext } from '@playwright/test';
import * as fs from 'fs';

// The quick log on a rep's phone when the network is not there: taps made offline are kept on
// the phone, survive a reload served by the service worker, and are counted exactly once when
// the connection is back. And before (or without) JavaScript, the buttons are forms that work.
const REP = { email: 'sam.rivera@demo.pacesetter.test', password: 'demo-rep-password' };
const SHOTS = 'screenshots';
// A full-page shot shows what scrolling reveals: below the fold, /me lays its entries and
// cards out only as they come near the screen (content-visibility), which a shot taken
// without scrolling would show as blanks.
const WHOLE_PAGE = '* { content-visibility: visible !important; }';
fs.mkdirSync(SHOTS, { recursive: true });

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

async function signIn(page: Page, hydrate = true) {
  await page.goto('/login?next=%2Fme');
  await page.getByLabel('Email').fill(REP.email);
  await page.getByLabel('Password').fill(REP.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/me');
  if (hydrate) await hydrated(page);
}

async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
}

/// The rep's activities of today, as the server counts them (the rep's own score server fn).
async function todayOnServer(page: Page): Promise<{ total: number; byType: Record<string, number> }> {
  const res = await page.request.post('/api/my_score', { form: { period: 'month' } });
  expect(res.status()).toBe(200);
  const score = await res.json();
  const byType: Record<string, number> = {};
  for (const a of score.today) byType[a.type_key] = (byType[a.type_key] ?? 0) + a.quantity;
  return { total: score.today.length, byType };
}

async function expectNoSidewaysScroll(page: Page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px screen`).toBeLessThanOrEqual(innerWidth);
}

test.describe('offline quick log', () => {
  test.use({ ...PHONE, serviceWorkers: 'allow' });

  test('is installable: manifest, icons and a service worker served at the root', async ({ page }) => {
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy|service worker/i.test(m.text())) refused.push(m.text());
    });
    await signIn(page);
    // The worker registers and takes control under the page's Content-Security-Policy.
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(new URL(scope).pathname).toBe('/');
    const manifestHref = await page.locator('link[rel="manifest"]').getAttribute('href');
    expect(manifestHref).toBe('/manifest.webmanifest');
    const manifest = await (await page.request.get(manifestHref!)).json();
    expect(manifest.start_url).toBe('/me');
    expect(manifest.display).toBe('standalone');
    const sizes = manifest.icons.map((i: { sizes: string; purpose: string }) => `${i.sizes} ${i.purpose}`);
    expect(sizes).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']));
    for (const icon of manifest.icons) {
      const res = await page.request.get(icon.src);
      expect(res.status(), icon.src).toBe(200);
      expect(res.headers()['content-type']).toBe('image/png');
    }
    const sw = await page.request.get('/sw.js');
    expect(sw.status()).toBe(200);
    expect(sw.headers()['content-type']).toMatch(/javascript/);
    await expect(page.locator('meta[name="theme-color"]').first()).toHaveAttribute('content', /^#/);
    expect(refused).toEqual([]);
  });

  test('taps made offline wait on the phone, survive a reload, and count exactly once online', async ({ page, context }) => {
    // Every request the service worker sends on its own, and those cut by the offline mode.
    const swCut: string[] = [];
    context.on('requestfailed', (r) => {
      if (r.serviceWorker()) swCut.push(r.url());
    });

    await signIn(page);
    // The worker installs and takes control; a controlled load of /me puts the page in its cache.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await hydrated(page);
    expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

    const before = await todayOnServer(page);
    const calls = page.locator('button.log-button[data-type="call"]');
    const emails = page.locator('button.log-button[data-type="email"]');
    const callsShown = parseInt((await calls.getByTestId('today-count').textContent())!, 10);
    expect(callsShown).toBe(before.byType['call'] ?? 0);

    await context.setOffline(true);
    // The network is really gone for the page.
    expect(await page.evaluate(() => fetch('/healthz').then(() => 'reached', () => 'unreachable'))).toBe('unreachable');

    await calls.tap();
    await expect(page.getByRole('status')).toContainText('No connection: Call saved on this phone');
    await expect(calls.getByTestId('pending-count')).toHaveText('1 pending');
    await calls.tap();
    await emails.tap();
    await expect(calls.getByTestId('pending-count')).toHaveText('2 pending');
    await expect(emails.getByTestId('pending-count')).toHaveText('1 pending');
    const pendingLine = page.getByTestId('pending-line');
    await expect(pendingLine).toContainText('Pending: 3 taps saved on this phone, not sent yet.');
    // Pending is said in words and not yet on the server's count.
    await expect(calls.getByTestId('today-count')).toHaveText(`${callsShown} today`);
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/offline-pending-390.png` });
    await page.setViewportSize({ width: 360, height: 740 });
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/offline-pending-360.png` });
    await page.setViewportSize(PHONE.viewport);

    // Reload while still offline: the service worker serves the last /me; the taps are still there.
    const cutBefore = swCut.length;
    const reloaded = await page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await hydrated(page);
    // The worker did try the network, and the offline mode cut it: the page came from its cache.
    expect(swCut.length).toBeGreaterThan(cutBefore);
    await expect(page.getByTestId('my-total')).toBeVisible();
    await expect(page.getByTestId('pending-line')).toContainText('Pending: 3 taps saved on this phone, not sent yet.');
    await expect(calls.getByTestId('pending-count')).toHaveText('2 pending');
    await page.screenshot({ path: `${SHOTS}/offline-reloaded-390.png`, fullPage: true, style: WHOLE_PAGE });

    // Back online: sent once each, and the page counts them.
    await context.setOffline(false);
    await expect(page.getByTestId('pending-line')).toHaveCount(0, { timeout: 30_000 });
    await expect(calls.getByTestId('pending-count')).toHaveCount(0);
    await expect(calls.getByTestId('today-count')).toHaveText(`${callsShown + 2} today`);
    const after = await todayOnServer(page);
    expect(after.total).toBe(before.total + 3);
    expect(after.byType['call'] ?? 0).toBe((before.byType['call'] ?? 0) + 2);
    expect(after.byType['email'] ?? 0).toBe((before.byType['email'] ?? 0) + 1);

    // Sending again (another tab, a retry) changes nothing: nothing is left, and the keys are spent.
    await page.reload();
    await hydrated(page);
    await expect(page.getByTestId('pending-line')).toHaveCount(0);
    expect((await todayOnServer(page)).total).toBe(before.total + 3);
  });

  test('the parts of /me whose code loads when needed stay the server\'s copy until opened or changed, and wake offline from the worker', async ({ page, context }) => {
    // Everything the page fetches, by name: the deferred parts' chunks are `split_deferred_…`.
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    // A short screen, so that the scorecard starts well below the fold whatever today holds.
    await page.setViewportSize({ width: 390, height: 400 });
    await signIn(page);
    // (Signing in lands on /me drawn in the browser, with no server copy and the scorecard
    // woken at once; load it afresh, counting from there.)
    await page.goto('/me');
    fetched.length = 0;
    await page.reload();
    await hydrated(page);
    // First load: the scorecard below the fold is the server's copy; its code is not fetched.
    const deferred = () => fetched.filter((p) => p.includes('/split_deferred_'));
    await expect(page.locator('.deferred-copy [data-metric]').first()).toBeAttached();
    expect(deferred(), 'no deferred chunk in the first load').toEqual([]);
    // The worker keeps the deferred chunks for offline use (read from the split manifest).
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await hydrated(page);
    const cached = await page.evaluate(async () => {
      const cache = await caches.open('pacesetter-offline-v1');
      return (await cache.keys()).map((r) => new URL(r.url).pathname).filter((p) => p.includes('/split_deferred_'));
    });
    expect(cached.some((p) => p.includes('split_deferred_scorecard_panel'))).toBe(true);
    expect(cached.some((p) => p.includes('split_deferred_edit_form'))).toBe(true);

    // Scrolled to, the scorecard is still the server's copy, which is exact until something
    // changes: no code runs for it.
    await page.locator('.role-scorecard').scrollIntoViewIfNeeded();
    await expect(page.getByTestId('composite')).toBeVisible();
    await page.waitForTimeout(500);
    expect(deferred(), 'nothing fetched for a scorecard that has not changed').toEqual([]);
    await expect(page.locator('.deferred-copy [data-metric]').first()).toBeVisible();

    await context.setOffline(true);

    // Offline, an entry's edit form wakes from the worker's cache and keeps what was typed
    // into the server's copy.
    const item = page.locator('ul.today li').first();
    await item.locator('summary').tap();
    await expect.poll(() => deferred().some((p) => p.includes('split_deferred_edit_form'))).toBe(true);
    const note = item.getByLabel('Note');
    await note.fill('typed offline');
    await expect(item.locator('form.edit-form')).toHaveCount(1);
    await expect(note).toHaveValue('typed offline');
    await context.setOffline(false);

    // Back online, a log reloads the live scorecard, which takes the copy's place.
    await page.locator('button.log-button[data-type="email"]').tap();
    await expect(page.getByRole('status')).toContainText('Logged: Email');
    await expect(page.locator('.deferred-live [data-metric]').first()).toBeVisible();
    await expect(page.locator('.deferred-copy [data-metric]')).toHaveCount(0);
    await expect(page.locator('.role-scorecard')).toHaveCount(1);
  });

  test('a tap whose answer was lost is sent again with its key and counted once', async ({ page, context }) => {
    await signIn(page);
    const before = await todayOnServer(page);
    // The server stores the tap but the answer never reaches the phone.
    let dropped = 0;
    let stored!: (status: number) => void;
    const firstSend = new Promise<number>((resolve) => (stored = resolve));
    await context.route('**/api/log_activity', async (route) => {
      if (dropped === 0) {
        dropped++;
        const answer = await route.fetch();
        stored(answer.status());
        await route.abort('internetdisconnected');
      } else {
        await route.continue();
      }
    });
    const visits = page.locator('button.log-button[data-type="visit"]');
    await visits.tap();
    await expect(visits.getByTestId('pending-count')).toHaveText('1 pending');
    // (The tap shows as pending from the moment it is made, while the first send is still on
    // its way: wait for the server's answer before counting, or the count may run first.)
    expect(await firstSend, 'the server stored the first send').toBe(200);
    expect((await todayOnServer(page)).total).toBe(before.total + 1);
    // Sent again with the same key: stored once.
    await page.getByTestId('pending-line').getByRole('button', { name: 'Send now' }).tap();
    await expect(page.getByTestId('pending-line')).toHaveCount(0);
    expect((await todayOnServer(page)).total).toBe(before.total + 1);
  });
});

test.describe('quick log without JavaScript', () => {
  test.use({ ...PHONE, javaScriptEnabled: false });

  test('a tap posts, logs once and says so; the same form sent twice counts once', async ({ page }) => {
    await signIn(page, false);
    const before = await todayOnServer(page);
    const meetings = page.locator('button.log-button[data-type="meeting"]');
    const shown = parseInt((await meetings.getByTestId('today-count').textContent())!, 10);
    await meetings.tap();
    await page.waitForURL((url) => url.pathname === '/me' && url.searchParams.has('logged'));
    // A short, readable address and a confirmation in words, with its undo.
    expect(page.url()).toMatch(/\/me\?logged=\d+$/);
    const notice = page.getByTestId('log-notice');
    await expect(notice).toContainText(/^Logged: Meeting at \d\d:\d\d/);
    await expect(notice.getByRole('button', { name: 'Undo' })).toBeVisible();
    await expect(meetings.getByTestId('today-count')).toHaveText(`${shown + 1} today`);
    expect((await todayOnServer(page)).total).toBe(before.total + 1);
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/nojs-logged-390.png` });
    await page.setViewportSize({ width: 360, height: 740 });
    await expectNoSidewaysScroll(page);
    await page.screenshot({ path: `${SHOTS}/nojs-logged-360.png` });
    await page.setViewportSize(PHONE.viewport);

    // The same form (same key) submitted twice, as a double tap on a slow network does.
    const form = page.locator('form:has(button.log-button[data-type="call"])');
    const key = await form.locator('input[name="client_key"]').getAttribute('value');
    expect(key).toMatch(/^[0-9a-f]+-[0-9a-f]+$/);
    const fields = { type_key: 'call', client_key: key! };
    const post = () =>
      page.request.post('/api/log_activity', {
        form: fields,
        headers: { accept: 'text/html', 'sec-fetch-site': 'same-origin' },
        maxRedirects: 0,
      });
    const first = await post();
    const second = await post();
    expect(first.status()).toBe(302);
    expect(second.status()).toBe(302);
    const id = first.headers()['location'].match(/^\/me\?logged=(\d+)$/)![1];
    expect(second.headers()['location']).toBe(`/me?logged=${id}&again=1`);
    expect((await todayOnServer(page)).total).toBe(before.total + 2);
    await page.goto(second.headers()['location']);
    await expect(page.getByTestId('log-notice')).toContainText('Already logged: Call');

    // Undo without JavaScript: the entry goes, and the page says so.
    await page.goto(`/me?logged=${id}`);
    await page.getByTestId('log-notice').getByRole('button', { name: 'Undo' }).tap();
    await page.waitForURL((url) => url.search === '?deleted=1');
    await expect(page.getByTestId('log-notice')).toHaveText('Deleted.');
    expect((await todayOnServer(page)).total).toBe(before.total + 1);

    // An error reads as words, in the page and in the address bar.
    const bad = await page.request.post('/api/log_activity', {
      form: { type_key: 'no_such_type', client_key: 'k-1' },
      headers: { accept: 'text/html', 'sec-fetch-site': 'same-origin' },
      maxRedirects: 0,
    });
    expect(bad.headers()['location']).toBe('/me?problem=gone');
    await page.goto('/me?problem=gone');
    await expect(page.getByRole('alert')).toContainText('no longer exists');
  });

  test('an edit refused without JavaScript comes back open, with what was typed and why in words', async ({ page }) => {
    await signIn(page, false);
    await page.locator('button.log-button[data-type="call"]').tap();
    await page.waitForURL((url) => url.searchParams.has('logged'));
    const id = new URL(page.url()).searchParams.get('logged')!;
    // Without JavaScript, "Edit" holds a link to the page with this entry's form open (the
    // forms are not in every load of the page).
    await page.locator(`li[data-activity="${id}"]`).locator('summary', { hasText: 'Edit' }).tap();
    await page.locator(`li[data-activity="${id}"]`).getByRole('link', { name: 'Open the edit form' }).tap();
    await page.waitForURL((url) => url.searchParams.get('open') === id);
    const item = page.locator(`li[data-activity="${id}"]`);
    await expect(item.locator('details.edit-activity')).toHaveAttribute('open', '');
    await item.getByLabel('Note').fill('Left a voicemail');
    await item.getByLabel('Minutes').fill('ten');
    await item.getByLabel('Account').fill('Acme Logistics');
    await item.getByRole('button', { name: 'Save' }).tap();
    await page.waitForURL((url) => url.searchParams.get('edit') === id);
    // Readable: no encoded blob, the fields by name.
    const back = new URL(page.url());
    expect(back.searchParams.has('__err')).toBeFalsy();
    expect(back.searchParams.get('minutes')).toBe('ten');
    expect(back.searchParams.get('field')).toBe('duration_minutes');
    const again = page.locator(`li[data-activity="${id}"]`);
    await expect(again.locator('details.edit-activity')).toHaveAttribute('open', '');
    await expect(again.getByLabel('Note')).toHaveValue('Left a voicemail');
    await expect(again.getByLabel('Minutes')).toHaveValue('ten');
    await expect(again.getByLabel('Account')).toHaveValue('Acme Logistics');
    await expect(again.locator('.field-error[data-field="duration_minutes"]')).toBeVisible();
    await expectNoSidewaysScroll(page);
    // Corrected, it saves and says so.
    await again.getByLabel('Minutes').fill('10');
    await again.getByRole('button', { name: 'Save' }).tap();
    await page.waitForURL((url) => url.search === '?saved=1');
    await expect(page.getByTestId('log-notice')).toHaveText('Saved.');
    await expect(page.locator(`li[data-activity="${id}"]`)).toContainText('Left a voicemail · Acme Logistics · 10 min');
  });
});
