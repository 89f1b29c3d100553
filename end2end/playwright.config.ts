import { defineConfig } from '@playwright/test';

// Chromium from Debian only: no browser is downloaded. The server is started by
// scripts/e2e.sh, which sets BASE_URL and TV_PATH.
export default defineConfig({
  testDir: './tests',
  timeout: 120_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  // A second try for a test that fails once: a few tests time what users see (the TV within
  // a second), and on a loaded 2-core CI machine one look can be late. Playwright reports a
  // test that passes only on its second try as flaky; one that fails twice fails the run.
  retries: 1,
  reporter: [['list']],
  use: {
    baseURL: process.env.BASE_URL ?? 'http://127.0.0.1:3000',
    browserName: 'chromium',
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
