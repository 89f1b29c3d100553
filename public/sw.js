// Pacesetter's service worker: lets the rep's page (/me) open without a network.
//
// * The app shell (/pkg/*: script, WebAssembly, styles; the manifest and icons) and the last
//   /me page are fetched from the network first and kept in a cache; when the network fails,
//   the cached copy is served. The page's taps are then kept on the device by the page itself
//   (localStorage) and sent when the connection is back.
// * Nothing else is touched: server functions, the API, the live event stream, every POST go
//   straight to the network and are never cached.
// * Signing out (or being sent to sign-in from /me) deletes the cached page.
//
// Pages load the bundle from /v/<version>/pkg/ (a new address for every release; the
// server writes it into ASSETS below when it serves this file, which is also what makes
// the browser install a new worker after a release). A cached copy is only ever a fallback:
// online, the network answer wins and replaces it, and the page and its script always come
// from the same release. Copies of an earlier release's bundle are dropped on activation.

const ASSETS = '/pkg';
const CACHE = 'pacesetter-offline-v1';
const PAGE = '/me';
const SHELL = [
  `${ASSETS}/pacesetter.js`,
  `${ASSETS}/pacesetter.wasm`,
  `${ASSETS}/pacesetter.css`,
  '/manifest.webmanifest',
  '/icons/icon-192.png',
];

// The parts of /me whose code the page fetches only when they are needed (the scorecard
// below the fold: `components::deferred`, each a `#[lazy]` function named `deferred_…`):
// their chunks, read from the bundle's split manifest, so that they also wake offline.
async function deferredChunks() {
  try {
    const manifest = await (await fetch(`${ASSETS}/__wasm_split_manifest.json`)).json();
    const files = new Set();
    for (const [name, chunks] of Object.entries(manifest)) {
      if (!name.includes('deferred_')) continue;
      files.add(`${ASSETS}/split_${name}.wasm`);
      for (const chunk of chunks) files.add(`${ASSETS}/${chunk}.wasm`);
    }
    return [...files];
  } catch {
    return [];
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Best effort: a missing file must not stop the worker from installing. The page has
      // just loaded the shell, so the browser's HTTP cache answers (or a 304): no second
      // download. The deferred chunks are fetched here, once per release.
      const files = [...SHELL, ...(await deferredChunks())];
      await Promise.all(files.map((url) => cache.add(url).catch(() => undefined)));
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('pacesetter-') && name !== CACHE) await caches.delete(name);
      }
      const cache = await caches.open(CACHE);
      for (const request of await cache.keys()) {
        const path = new URL(request.url).pathname;
        if (path.startsWith('/v/') && !path.startsWith(`${ASSETS}/`)) await cache.delete(request);
      }
      await self.clients.claim();
    })(),
  );
});

function isShell(url) {
  return (
    url.pathname.startsWith('/pkg/') ||
    url.pathname.startsWith('/v/') ||
    url.pathname.startsWith('/icons/') ||
    url.pathname === '/manifest.webmanifest'
  );
}

// Network first; a good answer replaces the cached copy, a failure falls back to it.
async function networkFirst(request, key) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') await cache.put(key, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(key);
    if (cached) return cached;
    throw error;
  }
}

// /me: the network's page, kept when it is the plain page; offline, the last one kept.
async function page(request, keep) {
  const cache = await caches.open(CACHE);
  let response;
  try {
    response = await fetch(request);
  } catch (error) {
    return (await cache.match(PAGE)) || offlinePage();
  }
  if (response.type === 'opaqueredirect' || response.redirected || response.status === 401) {
    // Sent to sign-in: the signed-in page must not outlive the session.
    await cache.delete(PAGE);
  } else if (keep && response.ok && response.type === 'basic') {
    await cache.put(PAGE, response.clone());
  }
  return response;
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method !== 'GET') {
    // Never answered from the cache. Signing out forgets the cached page.
    if (request.method === 'POST' && url.pathname === '/api/sign_out') {
      event.waitUntil(caches.open(CACHE).then((cache) => cache.delete(PAGE)));
    }
    return;
  }
  if (request.mode === 'navigate' && url.pathname === PAGE) {
    // One copy of /me: the plain page (with a query it carries a note after a post made
    // without JavaScript, not worth keeping).
    event.respondWith(page(request, !url.search));
    return;
  }
  if (isShell(url)) {
    event.respondWith(networkFirst(request, url.pathname));
  }
});

// Offline before /me was ever kept here.
function offlinePage() {
  return new Response(
    '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
      '<title>Pacesetter: offline</title><body style="font-family:system-ui,sans-serif;padding:1rem">' +
      '<h1>No connection</h1><p>Pacesetter could not be reached, and this phone has no saved copy of your page yet. ' +
      'Open it once while online to use it offline.</p></body></html>',
    { status: 503, headers: { 'Content-Type': 'text/html; charset=utf-8' } },
  );
}
