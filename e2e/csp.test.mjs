// The Content-Security-Policy in a real browser: node --test --test-concurrency=1 e2e/
// Needs a server started with `roadshow serve --demo` at BASE_URL (see .ci/run).
//
// The main pages (home, a tour, registration, manage, printable badge, login, the scanner,
// the dashboards) are served with the policy and run without a single violation: every script
// and style is a file under /static, the scanner's worker starts, the charts show.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DEMO, launchBrowser, newContext, login, api, tokenFor, cspViolations, assertNoCspViolations } from './helpers.mjs';

const TOUR_SLUG = 'rencontres-360-2026';
const RUN = Date.now();
let browser;
let tourId;
let stopId;
let entranceId;
let manageUrl;

before(async () => {
  browser = await launchBrowser();
  const admin = await tokenFor(DEMO.admin);
  const tour = await api('GET', `/api/v1/tours/${TOUR_SLUG}`);
  tourId = tour.id;
  const stop = await api('POST', `/api/v1/tours/${tour.id}/stops`, {
    token: admin,
    expect: 201,
    body: {
      city: `Mulhouse ${RUN}`,
      venue: 'Parc Expo',
      timezone: 'Europe/Paris',
      starts_at: '2027-11-20T09:00:00+01:00',
      ends_at: '2027-11-20T17:30:00+01:00',
      capacity: 50,
    },
  });
  stopId = stop.id;
  const detail = await api('GET', `/api/v1/stops/${stopId}`);
  entranceId = detail.checkpoints.find((c) => c.kind === 'entrance')?.id;
  const registration = await api('POST', `/api/v1/stops/${stopId}/registrations`, {
    expect: 201,
    body: {
      first_name: 'Agnès',
      last_name: 'Schmitt',
      company: 'Schmitt Informatique',
      email: `csp.${RUN}@example.com`,
      consent: true,
      workshops: [],
    },
  });
  manageUrl = new URL(registration.manage_url);
});

after(async () => {
  await browser?.close();
  assertNoCspViolations();
});

/** Opens `path`, checks the policy header, lets scripts run, and checks nothing was refused. */
async function visit(page, path, what) {
  const before = cspViolations.length;
  const response = await page.goto(`${BASE}${path}`);
  assert.equal(response.status(), 200, `${what}: ${path}`);
  const csp = response.headers()['content-security-policy'] ?? '';
  assert.match(csp, /script-src 'self'(;|$)/, `${what}: script-src`);
  assert.match(csp, /frame-ancestors 'none'/, `${what}: frame-ancestors`);
  assert.equal(response.headers()['cache-control'], 'no-store', `${what}: cache-control`);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(cspViolations.slice(before), [], `${what}: CSP violations`);
}

test('public pages: home, tour, register, manage, badge, login', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  try {
    await visit(page, '/', 'home');
    await visit(page, `/tours/${TOUR_SLUG}`, 'tour');
    await visit(page, `/stops/${stopId}/register`, 'register');
    await visit(page, manageUrl.pathname, 'manage');
    const natural = await page.locator('img#badge-qr').evaluate((el) => el.naturalWidth);
    assert.ok(natural > 0, 'the badge QR loads under the policy');
    await visit(page, `${manageUrl.pathname}/badge`, 'printable badge');
    // The badge's styles come from a file: the card has its printed size.
    const width = await page.locator('.card').evaluate((el) => el.getBoundingClientRect().width);
    assert.ok(width > 300 && width < 360, `the badge card is 90 mm wide (${width}px)`);
    await visit(page, '/login', 'login');
  } finally {
    await context.close();
  }
});

test('the scanner page starts its scripts, worker and service worker', async () => {
  const context = await newContext(browser, { viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  try {
    await login(page, DEMO.staff.email, DEMO.staff.password);
    await visit(page, '/scan', 'scanner stop list');
    await visit(page, `/scan/checkpoints/${entranceId}`, 'scanner');
    // qr-scanner's decoder worker comes from a blob: URL; it must be allowed.
    const workerStarted = await page.evaluate(async () => {
      const mod = await import('/static/qr-scanner-worker.min.js');
      const worker = mod.createWorker();
      worker.terminate();
      return true;
    });
    assert.ok(workerStarted);
    await page.waitForLoadState('networkidle');
    assert.deepEqual(cspViolations, [], 'scanner: CSP violations');
  } finally {
    await context.close();
  }
});

test('the dashboards and their live refresh', async () => {
  const context = await newContext(browser, { viewport: { width: 1440, height: 1000 } });
  const page = await context.newPage();
  try {
    await login(page, DEMO.marketing.email, DEMO.marketing.password);
    await visit(page, '/analytics', 'analytics index');
    await visit(page, `/analytics/tours/${tourId}`, 'tour dashboard');
    await page.getByRole('img', { name: 'Tour funnel' }).waitFor();
    await visit(page, `/analytics/stops/${stopId}`, 'stop dashboard');
    await visit(page, '/complaints', 'complaints');
  } finally {
    await context.close();
  }
});
