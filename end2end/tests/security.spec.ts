import { test, expect } from '@playwright/test';

// Issue 9: browsers drop tabs from URLs, so a `next` of "/\t/evil.example/phish" once sent a
// signed-in user to http://evil.example/phish. Both ways of signing in must stay on the site.
const REP = { email: 'sam.rivera@demo.pacesetter.test', password: 'demo-rep-password' };

for (const javaScriptEnabled of [true, false]) {
  test.describe(`sign-in redirect, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, () => {
    test.use({ javaScriptEnabled });

    test('a tab in next cannot send the browser to another site', async ({ page, baseURL }) => {
      await page.goto('/login?next=%2F%09%2Fevil.example%2Fphish');
      if (javaScriptEnabled) {
        await expect(page.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
      }
      await page.getByLabel('Email').fill(REP.email);
      await page.getByLabel('Password').fill(REP.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/me');
      expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
    });
  });
}
