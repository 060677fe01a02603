// Admin pages in a real browser: node --test --test-concurrency=1 e2e/
// Needs a server started with `roadshow serve --demo` at BASE_URL (see .ci/run).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DEMO, api, launchBrowser, newContext, login, screenshot, tokenFor, assertNoCspViolations } from './helpers.mjs';

const TOUR_NAME = 'Rencontres Partenaires 360° 2026';

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  assertNoCspViolations();
});

/** Open the demo tour's admin page from /admin; returns the tour's id. */
async function openDemoTour(page) {
  await page.goto(`${BASE}/admin`);
  const link = page.getByRole('link', { name: TOUR_NAME }).first();
  const href = await link.getAttribute('href');
  const m = /\/admin\/tours\/([^/?#]+)$/.exec(new URL(href, BASE).pathname);
  assert.ok(m, `tour link should point to /admin/tours/{id}, got ${href}`);
  await link.click();
  await page.waitForURL((url) => url.pathname === `/admin/tours/${m[1]}`);
  return m[1];
}

/** A value for <input type="datetime-local">: YYYY-MM-DDTHH:mm. */
function localDateTime(date, hh, mm) {
  const p = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(hh)}:${p(mm)}`;
}

/** Labels are matched exactly: "City" is a substring of "Capacity". */
const field = (page, label) => page.getByLabel(label, { exact: true });

/** Text of the .field-error inside the same .field wrapper as the input labelled `label` ('' if none). */
function fieldError(page, label) {
  return field(page, label).evaluate(
    (el) => el.closest('.field')?.querySelector('.field-error')?.textContent?.trim() ?? '',
  );
}

test('admin logs in, creates a stop through the form and sees it listed', { timeout: 90_000 }, async () => {
  const ctx = await newContext(browser);
  ctx.setDefaultTimeout(20_000);
  const page = await ctx.newPage();
  try {
    await login(page, DEMO.admin.email, DEMO.admin.password);
    assert.equal(new URL(page.url()).pathname, '/admin', 'login should redirect to /admin');

    const tourId = await openDemoTour(page);
    await page.getByRole('link', { name: 'Add a stop' }).click();
    await page.waitForURL((url) => url.pathname === `/admin/tours/${tourId}/stops/new`);

    // Error path first: empty City and a negative Capacity come back as a 422 page with
    // an error next to each field, and what was typed elsewhere is kept.
    // noValidate: test the server's validation, not the browser's (required/min attributes).
    await page.locator('form', { has: field(page, 'City') }).evaluate((f) => { f.noValidate = true; });
    const venue = 'Parc des Expositions, Hall 3';
    await field(page, 'City').fill('');
    await field(page, 'Venue').fill(venue);
    await field(page, 'Capacity').fill('-5');
    const [bad] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
      page.getByRole('button', { name: 'Create stop' }).click(),
    ]);
    await page.waitForLoadState();
    assert.equal(bad.status(), 422, 'invalid stop form should answer 422');
    assert.notEqual(await fieldError(page, 'City'), '', 'City should have a .field-error');
    assert.notEqual(await fieldError(page, 'Capacity'), '', 'Capacity should have a .field-error');
    assert.equal(await field(page, 'Venue').inputValue(), venue, 'Venue should be kept');
    await screenshot(page, 'admin-stop-form-errors');

    // Now a valid stop, two months from now, in the stop's local time.
    const city = `Colmar ${Date.now()}`;
    const day = new Date(Date.now() + 60 * 24 * 3600 * 1000);
    const dayBefore = new Date(day.getTime() - 24 * 3600 * 1000);
    await page.locator('form', { has: field(page, 'City') }).evaluate((f) => { f.noValidate = false; });
    await field(page, 'City').fill(city);
    await field(page, 'Venue').fill(venue);
    await field(page, 'Address').fill('1 avenue de la Foire aux Vins, 68000 Colmar');
    await field(page, 'Time zone').selectOption('Europe/Paris');
    await field(page, 'Starts at').fill(localDateTime(day, 9, 0));
    await field(page, 'Ends at').fill(localDateTime(day, 17, 30));
    await field(page, 'Capacity').fill('120');
    await field(page, 'Registration closes at').fill(localDateTime(dayBefore, 18, 0));
    await page.getByRole('button', { name: 'Create stop' }).click();
    await page.waitForURL((url) => url.pathname === `/admin/tours/${tourId}`);

    const rows = page.getByRole('row').filter({ hasText: city });
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1, 'the new stop should be listed once');
    await screenshot(page, 'admin-tour-with-new-stop');
  } finally {
    await ctx.close();
  }
});

test('anonymous GET /admin redirects to /login', async () => {
  const ctx = await newContext(browser);
  ctx.setDefaultTimeout(20_000);
  try {
    // The redirect itself, without following it…
    const res = await ctx.request.get(`${BASE}/admin`, { maxRedirects: 0 });
    assert.ok([302, 303, 307].includes(res.status()), `expected a redirect, got ${res.status()}`);
    assert.equal(new URL(res.headers()['location'], BASE).pathname, '/login');
    // …and in the browser, which lands on the login form.
    const page = await ctx.newPage();
    await page.goto(`${BASE}/admin`);
    assert.equal(new URL(page.url()).pathname, '/login');
    await field(page, 'Password').waitFor();
  } finally {
    await ctx.close();
  }
});

test('admin erases a person from the people page, then finds it in the audit log', { timeout: 90_000 }, async () => {
  const admin = await tokenFor(DEMO.admin);
  const tour = await api('GET', '/api/v1/tours/rencontres-360-prochaines-etapes');
  const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
  const stop = await api('POST', `/api/v1/tours/${tour.id}/stops`, {
    token: admin,
    expect: 201,
    body: {
      city: `Metz ${Date.now()}`,
      venue: 'Centre des Congrès',
      address: '100 rue aux Arènes, 57000 Metz',
      timezone: 'Europe/Paris',
      starts_at: `${day}T09:00:00+01:00`,
      ends_at: `${day}T17:00:00+01:00`,
      capacity: 20,
    },
  });
  const email = `zoe.erasme.${Date.now()}@example.fr`;
  await api('POST', `/api/v1/stops/${stop.id}/registrations`, {
    expect: 201,
    body: { first_name: 'Zoé', last_name: 'Érasme', email, company: 'Érasme Conseil', company_size: 12, consent: true },
  });

  const ctx = await newContext(browser);
  ctx.setDefaultTimeout(20_000);
  const page = await ctx.newPage();
  try {
    await login(page, DEMO.admin.email, DEMO.admin.password);
    await page.goto(`${BASE}/admin/people`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByRole('button', { name: 'Look up' }).click();
    assert.equal((await page.locator('#found').innerText()).trim(), email);

    // The erase button asks for the tick first (the browser's own check).
    await page.getByLabel('I confirm the erasure, which cannot be undone').check();
    await page.locator('#erase').click();
    await page.locator('#erased').waitFor();
    const erased = await page.locator('#erased').innerText();
    assert.match(erased, /anon-[0-9a-f]{10}/);
    assert.match(erased, /Registrations: 1/);
    await screenshot(page, 'admin-person-erased');

    await page.goto(`${BASE}/admin/people?email=${encodeURIComponent(email)}`);
    await page.locator('#nothing').waitFor();

    // The audit log, filtered to erasures: the admin's entry, without the address.
    await page.goto(`${BASE}/admin/audit`);
    await page.locator('select[name=action]').selectOption('person.erased');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('action') === 'person.erased');
    const rows = page.locator('#entries tbody tr');
    assert.ok((await rows.count()) >= 1);
    const first = await rows.first().innerText();
    assert.match(first, /admin@roadshow\.example \(admin\)/);
    assert.match(first, /person\.erased/);
    const table = await page.locator('#entries').innerText();
    assert.ok(!table.includes(email), 'the log never holds the address');
    await screenshot(page, 'admin-audit-log');
  } finally {
    await ctx.close();
  }
});
