import { test, expect, Page, Browser, BrowserContext } from '@playwright/test';
import * as fs from 'fs';

const SHOTS = 'screenshots';
fs.mkdirSync(SHOTS, { recursive: true });
const ADMIN = { email: 'admin@demo.pacesetter.test', password: 'demo-admin-password' };

async function signIn(page: Page, email: string, password: string, next: string) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === next);
  await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
}

// The contexts a test opened: closed after it, so no page of one test keeps its live
// stream and keeps refetching through the tests after it.
const opened: BrowserContext[] = [];
test.afterEach(async () => {
  for (const context of opened.splice(0)) await context.close();
});

async function newPage(browser: Browser, width: number, height: number): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  opened.push(context);
  return context.newPage();
}

// The TV polls only once a minute, and Playwright waits 5 s for each expectation: a change
// seen here was pushed by the server.
test('the TV updates live when a rep logs, and goes dark the moment its link is revoked', async ({ browser }) => {
  const admin = await newPage(browser, 1920, 1080);
  await signIn(admin, ADMIN.email, ADMIN.password, '/admin/displays');
  await expect(admin.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await admin.locator('form.display-form').first().getByPlaceholder('Office TV').fill('Live test TV');
  await admin.getByRole('button', { name: 'Create display link' }).click();
  const path = new URL((await admin.getByTestId('new-secret').textContent())!).pathname;
  expect(path).toMatch(/^\/tv\/[0-9a-f]{64}$/);

  const tv = await newPage(browser, 1920, 1080);
  await tv.goto(path);
  await expect(tv.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  await tv.evaluate(() => ((window as any).__noReload = true));
  const leader = tv.locator('.tv-board li').first();
  const leaderName = (await leader.locator('.tv-name').textContent())!.trim();
  const before = Number((await leader.locator('.tv-points').textContent())!.replace(/,/g, ''));

  // The leader logs three calls on their phone.
  const phone = await newPage(browser, 390, 844);
  const email = `${leaderName.toLowerCase().replace(/ /g, '.')}@demo.pacesetter.test`;
  await signIn(phone, email, 'demo-rep-password', '/me');
  for (let i = 0; i < 3; i++) {
    await phone.locator('button.log-button[data-type="call"]').click();
    await expect(phone.getByRole('status')).toContainText('Logged: Call');
  }
  await expect
    .poll(async () => Number((await leader.locator('.tv-points').textContent())!.replace(/,/g, '')), { timeout: 5_000 })
    .toBeGreaterThan(before);
  await expect(leader.locator('.tv-name')).toHaveText(leaderName);
  expect(await tv.evaluate(() => (window as any).__noReload)).toBe(true);
  await tv.screenshot({ path: `${SHOTS}/tv-live.png` });

  // The admin revokes the link: the open TV stops showing the board at once.
  await admin.reload();
  await expect(admin.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
  const row = admin.locator('tr[data-display="Live test TV"]');
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(tv.locator('.tv-status')).toContainText('not valid', { timeout: 5_000 });
  await expect(tv.locator('.tv-board li')).toHaveCount(0);
});

test('an admin moves a rep to another team, and the audit log shows it', async ({ browser }) => {
  const admin = await newPage(browser, 1920, 1080);
  await signIn(admin, ADMIN.email, ADMIN.password, '/admin');
  const row = admin.locator('tr[data-user="sam.rivera@demo.pacesetter.test"]');
  const team = row.getByLabel('Team');
  const from = await team.inputValue();
  expect(from).not.toBe('');
  const to = from === 'Atlas' ? 'Cascade' : 'Atlas';
  await team.fill(to);
  await row.locator('form', { has: admin.getByLabel('Team') }).getByRole('button', { name: 'Save' }).click();
  await expect(admin.locator('table.audit tbody tr').first()).toContainText('change_team');
  await expect(admin.locator('table.audit tbody tr').first()).toContainText(to);
  await expect(admin.locator('tr[data-user="sam.rivera@demo.pacesetter.test"]').getByLabel('Team')).toHaveValue(to);
  await admin.reload();
  await expect(admin.locator('tr[data-user="sam.rivera@demo.pacesetter.test"]').getByLabel('Team')).toHaveValue(to);
});
