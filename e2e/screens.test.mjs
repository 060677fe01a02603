// The main pages at a phone's size and a desktop's: each answers 200, none scrolls sideways on
// the phone, and with SHOT_DIR set each is saved as a screenshot to look at
// (SHOT_DIR=/tmp/shots bash .ci/run e2e; see the README's Tests section).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, DEMO, launchBrowser, screenshot, api, tokenFor, assertNoCspViolations, assertNoHorizontalScroll,
} from './helpers.mjs';

const SIZES = {
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
  desktop: { viewport: { width: 1440, height: 900 } },
};

let browser;
const pages = { public: [], staff: [] };

before(async () => {
  browser = await launchBrowser();
  const tour = await api('GET', '/api/v1/tours/rencontres-360-2026');
  const strasbourg = tour.stops.find((s) => s.city === 'Strasbourg');
  const stop = await api('GET', `/api/v1/stops/${strasbourg.id}`);
  const upcoming = await api('GET', '/api/v1/tours/rencontres-360-prochaines-etapes');
  const open = await api('GET', `/api/v1/stops/${upcoming.stops.find((s) => s.city === 'Rennes').id}`);
  const sandrine = `sandrine.${Date.now()}@example.fr`;
  const attendee = await api('POST', `/api/v1/stops/${open.id}/registrations`, {
    expect: 201,
    body: {
      first_name: 'Sandrine', last_name: 'Schmitt', company: 'Schmitt Bureautique',
      email: sandrine, consent: true, workshops: [open.workshops[0].id],
    },
  });
  const manage = new URL(attendee.manage_url).pathname;
  const marketing = await tokenFor(DEMO.marketing);
  const complaints = await api('GET', `/api/v1/complaints?stop_id=${strasbourg.id}`, { token: marketing });
  const workshopRoom = stop.checkpoints.find((c) => c.kind === 'workshop');
  pages.public = [
    ['home', '/'],
    ['tour', `/tours/${upcoming.slug}`],
    ['register', `/stops/${open.id}/register`],
    ['manage', manage],
    ['badge', `${manage}/badge`],
  ];
  pages.staff = [
    ['scan-checkpoints', `/scan/stops/${strasbourg.id}`],
    ['scanner-room', `/scan/checkpoints/${workshopRoom.id}`],
    ['admin-stop', `/admin/stops/${strasbourg.id}`],
    ['analytics-tour', `/analytics/tours/${tour.id}`],
    ['analytics-stop', `/analytics/stops/${strasbourg.id}`],
    ['complaints', '/complaints'],
    ['complaint', `/complaints/${complaints[0].id}`],
    ['admin-people', `/admin/people?email=${encodeURIComponent(sandrine)}`],
    ['admin-audit', '/admin/audit'],
    ['admin-webhooks', '/admin/webhooks'],
  ];
});

after(async () => {
  await browser?.close();
  assertNoCspViolations();
});

for (const [size, options] of Object.entries(SIZES)) {
  test(`the main pages on a ${size}, in French`, { timeout: 120_000 }, async () => {
    const context = await browser.newContext({ ...options, locale: 'fr-FR' });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    try {
      const visit = async (name, path) => {
        const response = await page.goto(`${BASE}${path}`);
        assert.equal(response?.status(), 200, `${name}: ${path}`);
        if (size === 'phone') await assertNoHorizontalScroll(page, name);
        await screenshot(page, `${name}-${size}`);
      };
      for (const [name, path] of pages.public) await visit(name, path);
      // The login form in French (the helper reads English labels).
      await page.goto(`${BASE}/login`);
      await page.locator('input[name=email]').fill(DEMO.admin.email);
      await page.locator('input[name=password]').fill(DEMO.admin.password);
      await Promise.all([
        page.waitForURL((url) => !url.pathname.startsWith('/login')),
        page.locator('form[action="/login"] button[type=submit]').click(),
      ]);
      for (const [name, path] of pages.staff) await visit(name, path);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
