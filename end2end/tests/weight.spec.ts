import { test, expect } from '@playwright/test';
import * as http from 'http';

// The page-weight budget of the rep's phone: everything the first load of /me fetches (the
// page, script, WebAssembly and styles), counted as the server sends it brotli-compressed.
// It applies to what ships — the release build with its WebAssembly split per page — so
// scripts/test.sh runs it against the release build (`scripts/build.sh`).
// Issue 11 asks for 250 KB. Splitting every other page into its own lazily loaded chunk took
// the first load from 851 KB to 359 KB; until /me's own bundle is cut further, the budget
// holds that line so that it can only shrink (lower it as it does). Hydrating lazy routes
// correctly (`hydrate_lazy`: before it, a lazily loaded page opened first never hydrated)
// brings the async hydration code into the main chunk: 366 KB → 401 KB. Stop 17: the chart
// library's code and names left the main module for a chunk the chart pages share: 368 KB.
// Stop 28: every page's data decoded from bytes, as server functions' replies are (one JSON
// decoder per type instead of two, `components::data`): 362.5 KB. (Seen then: a change
// elsewhere can make the splitter leave every page's strings in the main module, +30 KB;
// two such builds were dropped, not shipped. The budget catches it.) Stop 31: each page
// hydrates in one synchronous pass (`components::SyncHydrate`; the async copy of every
// page's hydration code is gone), /login is a lazy route, and the top bar's and the edit
// form's `ActionForm`s are plain forms sent by their actions: 295.9 KB. Then one flat route
// list (`FlatRoutes`: 12 KB less router), and the scorecard below the fold and the edit
// forms behind "Edit" rendered by the server and woken later (`components::deferred`):
// 262.3 KB with the demo rep's day. Stop 32: the splitter's shared chunks merged (its loader
// script 6.3 → 1.5 KB), the TV's, desk's and team view's rules in sheets of their own
// (`components::page_sheet`), and no float formatting left in the bundle (vendor/README.md):
// the 250 KB issue 11 asks for.
const BUDGET_BYTES = 250 * 1024;
const REP = { email: 'sam.rivera@demo.pacesetter.test', password: 'demo-rep-password' };

/** Bytes on the wire for one GET with `Accept-Encoding: br`, and the encoding the server chose. */
function brotliBytes(url: string, cookie: string): Promise<{ bytes: number; encoding: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { 'accept-encoding': 'br', cookie } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ bytes, encoding: String(res.headers['content-encoding'] ?? 'identity') }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

test('the first load of /me fits the page-weight budget (brotli)', async ({ browser, baseURL }) => {
  test.skip(process.env.E2E_PROFILE !== 'release', 'the budget is for the release build (scripts/test.sh)');
  // Sign in once to get the session, then load /me in a fresh context: nothing cached.
  const signIn = await browser.newContext();
  const first = await signIn.newPage();
  await first.goto('/login?next=%2Fme');
  await first.getByLabel('Email').fill(REP.email);
  await first.getByLabel('Password').fill(REP.password);
  await first.getByRole('button', { name: 'Sign in' }).click();
  await first.waitForURL((url) => url.pathname === '/me');
  const state = await signIn.storageState();
  await signIn.close();

  const context = await browser.newContext({ storageState: state, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const urls: string[] = [];
  page.on('request', (r) => {
    if (r.method() === 'GET' && r.url().startsWith(baseURL!)) urls.push(r.url());
  });
  await page.goto('/me');
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await page.waitForLoadState('networkidle');
  // The first load is the page and what it needs to run, not the live stream it then opens.
  const assets = [...new Set(urls)].filter((u) => !u.includes('/events'));
  expect(assets.some((u) => u.endsWith('.wasm'))).toBeTruthy();
  expect(assets.some((u) => u.includes('/echarts/')), 'no chart library on the log page').toBeFalsy();

  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  let total = 0;
  const lines: string[] = [];
  for (const url of assets) {
    const { bytes, encoding } = await brotliBytes(url, cookie);
    total += bytes;
    lines.push(`${(bytes / 1024).toFixed(1).padStart(8)} KB  ${encoding.padEnd(8)} ${new URL(url).pathname}`);
  }
  console.log(`first load of /me, brotli:\n${lines.join('\n')}\n${(total / 1024).toFixed(1).padStart(8)} KB  total (budget ${BUDGET_BYTES / 1024} KB)`);

  // The bundle comes from this release's own address and is kept for a year: a phone that
  // has it never asks again, and the service worker keeps the same addresses for offline.
  const wasm = assets.find((u) => u.endsWith('/pacesetter.wasm'))!;
  const bundle = new URL(wasm).pathname.replace(/\/pacesetter\.wasm$/, '');
  expect(bundle).toMatch(/^\/v\/[0-9a-f]{16}\/pkg$/);
  for (const url of assets.filter((u) => u.includes('/pkg/'))) {
    expect(new URL(url).pathname.startsWith(`${bundle}/`), url).toBeTruthy();
    const res = await context.request.get(url);
    expect(res.headers()['cache-control'], url).toBe('public, max-age=31536000, immutable');
  }
  expect(await (await context.request.get('/sw.js')).text()).toContain(`const ASSETS = '${bundle}';`);
  expect((await context.request.get('/v/0000000000000000/pkg/pacesetter.wasm')).status()).toBe(404);

  // What the first load leaves for later (`components::deferred`): the edit form's code when
  // "Edit" is tapped (the scorecard's when what it shows changes; scrolled to, it is still the
  // server's copy). Printed, not budgeted.
  const firstCount = urls.length;
  await page.locator('.role-scorecard').scrollIntoViewIfNeeded();
  await page.locator('ul.today li summary').first().tap();
  await expect(page.locator('ul.today li form.edit-form').first()).toBeVisible();
  await page.waitForLoadState('networkidle');
  const later = [...new Set(urls.slice(firstCount))].filter((u) => !u.includes('/events') && !assets.includes(u));
  let laterTotal = 0;
  for (const url of later) laterTotal += (await brotliBytes(url, cookie)).bytes;
  const deferredFirst = assets.filter((u) => u.includes('/split_deferred_')).map((u) => new URL(u).pathname.split('/').pop());
  console.log(
    `today on /me: ${await page.locator('ul.today li').count()} entries; deferred chunks in the first load: ${deferredFirst.join(', ') || 'none'}\n` +
      `fetched later (scorecard scrolled to, Edit tapped): ${later.length} files, ${(laterTotal / 1024).toFixed(1)} KB brotli`,
  );
  await context.close();
  expect(total, `first load of /me is ${(total / 1024).toFixed(1)} KB brotli, over the ${BUDGET_BYTES / 1024} KB budget`).toBeLessThanOrEqual(BUDGET_BYTES);
});
