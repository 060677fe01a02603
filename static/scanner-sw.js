// roadshow scanner service worker, served as /scan/sw.js (scope /scan/).
//
// Why: at a venue the Wi-Fi comes and goes. With this worker a scanner page that was opened once
// can be reloaded offline (the last copy of the page, the scripts and the stylesheet are kept),
// and scanner.js then decides badges offline with the data it keeps in IndexedDB.
// API calls are never cached: check-ins and counters must be live or fail visibly (scanner.js
// queues scans when they fail).
//
// Bump VERSION when this list or the strategy changes; old caches are deleted on activate.
const VERSION = 'v1';
const STATIC_CACHE = `roadshow-scanner-static-${VERSION}`;
const PAGES_CACHE = `roadshow-scanner-pages-${VERSION}`;
const PRECACHE = [
  '/static/scanner.js',
  '/static/qr-scanner.umd.min.js',
  '/static/qr-scanner-worker.min.js',
  '/static/app.css',
  '/static/favicon.svg',
];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(STATIC_CACHE)
      // cache: 'reload' bypasses the HTTP cache (the files are served with max-age=3600).
      .then((cache) => cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  const keep = new Set([STATIC_CACHE, PAGES_CACHE]);
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((n) => n.startsWith('roadshow-scanner-') && !keep.has(n)).map((n) => caches.delete(n)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;                 // form posts go to the network as they are
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) return;     // never cached: live answers only

  if (req.mode === 'navigate' && url.pathname.startsWith('/scan/')) {
    event.respondWith(networkFirst(req));
  } else if (PRECACHE.includes(url.pathname)) {
    event.respondWith(staleWhileRevalidate(event, req));
  }
});

/** Scanner pages: the network when it answers, else the last copy of that page. */
async function networkFirst(req) {
  const cache = await caches.open(PAGES_CACHE);
  try {
    const res = await fetch(req);
    // Only a real page of our own: not a redirect to /login, not an error page.
    if (res.ok && !res.redirected && res.type === 'basic') {
      cache.put(req, res.clone()).catch(() => {});
    }
    return res;
  } catch (err) {
    const kept = await cache.match(req, { ignoreSearch: false });
    if (kept) return kept;
    throw err;
  }
}

/** Scripts and the stylesheet: the kept copy at once, refreshed in the background (so a new
 *  scanner.js is used from the next load on, even without a new worker). */
async function staleWhileRevalidate(event, req) {
  const cache = await caches.open(STATIC_CACHE);
  const kept = await cache.match(req, { ignoreSearch: true });
  const fresh = fetch(req, { cache: 'no-cache' })
    .then((res) => {
      if (res.ok) cache.put(req, res.clone()).catch(() => {});
      return res;
    });
  if (kept) {
    event.waitUntil(fresh.catch(() => {}));   // let the refresh finish after we answered
    return kept;
  }
  return fresh;
}
