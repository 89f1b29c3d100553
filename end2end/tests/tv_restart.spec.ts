import { test, expect, BrowserContext } from '@playwright/test';
import { spawn, execFileSync, ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The office TV left alone through a server crash: a server of its own (the build under
// test, on a fresh demo database) is killed with SIGKILL and started again; the open TV
// shows its "reconnecting" mark meanwhile, and shows the next logged activity within 2 s of
// the server being back — pushed live (the page's poll is once a minute), without a reload.
const ROOT = path.resolve(process.cwd(), '..');
const BIN = path.join(ROOT, 'target', process.env.E2E_PROFILE ?? 'debug', 'pacesetter');
const PORT = Number(process.env.E2E_RESTART_PORT ?? 3919);
const BASE = `http://127.0.0.1:${PORT}`;

function cli(db: string, ...args: string[]): string {
  const lines = execFileSync(BIN, ['--database', db, ...args], { cwd: ROOT }).toString().trim().split('\n');
  return lines[lines.length - 1].trim();
}

function serve(db: string, log: string): ChildProcess {
  const out = fs.openSync(log, 'a');
  return spawn(BIN, ['--database', db, 'serve', '--addr', `127.0.0.1:${PORT}`, '--demo'], {
    cwd: ROOT,
    stdio: ['ignore', out, out],
  });
}

async function healthy() {
  const end = Date.now() + 60_000;
  while (Date.now() < end) {
    try {
      if ((await fetch(`${BASE}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the server on ${BASE} did not become healthy`);
}

test('after a SIGKILL and a restart, an open TV shows the next change within 2 s, live', async ({ browser }) => {
  test.setTimeout(180_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pacesetter-restart-'));
  const db = `sqlite://${work}/restart.db`;
  const tvPath = cli(db, 'displays', 'create', '--name', 'Restart TV');
  const token = cli(db, 'tokens', 'create', '--name', 'Restart', '--scope', 'ingest,read');
  let server = serve(db, `${work}/server.log`);
  let context: BrowserContext | undefined;
  try {
    await healthy();
    context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const tv = await context.newPage();
    await tv.goto(BASE + tvPath);
    await expect(tv.locator('body[data-hydrated="true"]')).toHaveCount(1, { timeout: 60_000 });
    await tv.evaluate(() => ((window as any).__noReload = true));
    // The default display opens on the first ranking page and holds it 20 s.
    await expect(tv.locator('.tv-screen')).toHaveAttribute('data-slide', 'ranking');
    const name = (await tv.locator('.tv-board li .tv-name').first().textContent())!.trim();
    const row = tv.locator('.tv-board li', { hasText: name }).first();
    const points = async () => Number(((await row.locator('.tv-points').textContent()) ?? '').replace(/,/g, ''));
    const before = await points();

    server.kill('SIGKILL');
    await new Promise((r) => server.once('exit', r));
    await expect(tv.locator('.tv-reconnecting')).toBeVisible({ timeout: 10_000 });
    server = serve(db, `${work}/server.log`);
    await healthy();
    const back = Date.now();

    const email = `${name.toLowerCase().replace(/ /g, '.')}@demo.pacesetter.test`;
    const res = await fetch(`${BASE}/api/v1/activities/batch`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        items: [0, 1, 2].map(() => ({ rep_email: email, type: 'call', occurred_at: new Date().toISOString() })),
      }),
    });
    expect(res.status, await res.text()).toBeLessThan(300);
    await expect.poll(points, { timeout: 2_000 - (Date.now() - back), intervals: [50] }).toBeGreaterThan(before);
    console.log(`after a SIGKILL and restart, the TV showed the change ${Date.now() - back} ms after the server was back`);
    await expect(tv.locator('.tv-reconnecting')).toHaveCount(0);
    expect(await tv.evaluate(() => (window as any).__noReload)).toBe(true);
  } finally {
    await context?.close();
    server.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  }
});
