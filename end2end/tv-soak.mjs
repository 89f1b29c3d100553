// The office TV soak (a benchmark, not a test): one TV page in headless Chromium for
// MINUTES (default 30) under a steady stream of events through the integration API (about
// one a second: activities, and a won deal every minute). Prints the JS heap and DOM node
// count at the start and the end (after a forced garbage collection), and the update
// latency: from sending the API call to the TV holding the new data (its `tv_show` refetch
// finished; the page re-renders in the same frame). Started by scripts/tv-soak.sh.
import { chromium } from '@playwright/test';

const BASE = process.env.BASE_URL;
const TV = process.env.TV_PATH;
const TOKEN = process.env.API_TOKEN;
const MINUTES = Number(process.env.MINUTES ?? 30);
if (!BASE || !TV || !TOKEN) throw new Error('BASE_URL, TV_PATH and API_TOKEN are set by scripts/tv-soak.sh');

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--autoplay-policy=no-user-gesture-required'],
});
const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
await page.goto(BASE + TV);
await page.waitForSelector('body[data-hydrated="true"]', { state: 'attached', timeout: 120_000 });
const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');

async function measure() {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
  return { heapMB: m.JSHeapUsedSize / 1048576, nodes: m.Nodes, domNodes, listeners: m.JSEventListeners };
}
const fmt = (s) => `JS heap ${s.heapMB.toFixed(2)} MB, DOM elements ${s.domNodes}, nodes ${s.nodes}, listeners ${s.listeners}`;

// Every finished `tv_show` refetch, by the time Node hears of it.
const refetched = [];
page.on('requestfinished', (r) => {
  if (r.url().includes('/api/tv_show')) refetched.push(Date.now());
});

async function api(path, body) {
  const res = await fetch(BASE + path, {
    method: 'POST',
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${await res.text()}`);
}
const board = await (await fetch(`${BASE}/api/v1/leaderboard`, { headers: { Authorization: `Bearer ${TOKEN}` } })).json();
const reps = board.entries.map((e) => e.rep_email);

const start = await measure();
console.log(`soak: ${MINUTES} min, ${reps.length} reps on the board`);
console.log(`start: ${fmt(start)}`);
const latencies = [];
let missed = 0;
let events = 0;
const end = Date.now() + MINUTES * 60_000;
let nextReport = Date.now() + 60_000;
while (Date.now() < end) {
  const tick = Date.now();
  const rep = reps[events % reps.length];
  const seen = refetched.length;
  const sent = Date.now();
  if (events % 60 === 59) {
    const day = new Date().toISOString().slice(0, 10);
    await api('/api/v1/deals', { rep_email: rep, name: `Soak ${events}`, amount: 100_000, currency: 'EUR',
      status: 'won', created_on: day, closed_on: day });
  } else {
    await api('/api/v1/activities', { rep_email: rep, type: 'call', occurred_at: new Date().toISOString() });
  }
  events++;
  // Wait up to 900 ms for the TV's refetch.
  while (refetched.length === seen && Date.now() - sent < 900) await new Promise((r) => setTimeout(r, 5));
  if (refetched.length > seen) latencies.push(refetched[seen] - sent);
  else missed++;
  if (Date.now() > nextReport) {
    const s = await measure();
    console.log(`${Math.round((Date.now() - (end - MINUTES * 60_000)) / 60_000)} min: ${fmt(s)}, ${events} events`);
    nextReport += 60_000;
  }
  await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - tick))));
}
await new Promise((r) => setTimeout(r, 7_000)); // let a last celebration end
const last = await measure();
latencies.sort((a, b) => a - b);
const q = (p) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
console.log(`end:   ${fmt(last)}`);
console.log(`heap change: ${(last.heapMB - start.heapMB).toFixed(2)} MB; DOM elements ${start.domNodes} -> ${last.domNodes}`);
console.log(`events: ${events} (${(events / MINUTES / 60).toFixed(2)}/s), updates seen: ${latencies.length}, not seen within 900 ms: ${missed}`);
console.log(`update latency: p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, max ${latencies[latencies.length - 1]} ms`);
const errors = await page.evaluate(() => document.querySelector('.tv-status')?.textContent ?? '');
if (errors) console.log(`TV status: ${errors}`);
await browser.close();
