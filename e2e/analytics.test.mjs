// Marketing's dashboards in a real browser: node --test --test-concurrency=1 e2e/
// Needs a server started with `roadshow serve --demo` at BASE_URL (see .ci/run).
//
// The tour overview and a stop's detail render with their charts (screenshots under SHOT_DIR);
// sorting a column reorders the stops; the Excel export downloads and opens; the page of a stop
// held today refreshes by itself when someone is checked in, without a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import readXlsxFile from 'read-excel-file/node';
import { BASE, DEMO, launchBrowser, newContext, login, screenshot, api, tokenFor, assertNoCspViolations } from './helpers.mjs';

const TOUR_NAME = 'Rencontres Partenaires 360° 2026';
let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  assertNoCspViolations();
});

/** A desktop page signed in as marketing. */
async function marketingPage() {
  const context = await newContext(browser, { viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
  const page = await context.newPage();
  await login(page, DEMO.marketing.email, DEMO.marketing.password);
  return { context, page };
}

test('the tour overview and a stop detail render with their charts, sort, and export to Excel', async () => {
  const { context, page } = await marketingPage();
  await page.getByRole('link', { name: 'Dashboards' }).click();
  await page.getByRole('link', { name: TOUR_NAME }).click();
  await page.waitForURL(/\/analytics\/tours\//);

  // Charts are SVG images with a title, drawn by the server.
  for (const name of ['Tour funnel', 'Confirmed and checked in per stop', 'No-show rate']) {
    await assert.doesNotReject(page.getByRole('img', { name }).waitFor(), name);
  }
  // The demo's eight stops (other browser tests may have added some of their own).
  const rows = page.locator('#stops-table tbody tr');
  const stops = await rows.count();
  assert.ok(stops >= 8, `${stops} stops`);
  const table = await page.locator('#stops-table').innerText();
  for (const city of ['Paris', 'Lille', 'Strasbourg', 'Toulouse']) assert.match(table, new RegExp(city));
  assert.match(await page.locator('#stops-table tfoot').innerText(), /Total\s+[\d,]{5,}/);
  const target = await page.locator('.targets').innerText();
  assert.match(target, /Certifications started \d+ \/ 550/);
  await screenshot(page, 'analytics-tour');

  // Highest no-show rate first: Strasbourg, the stop the resellers were bitter about.
  await page.getByRole('link', { name: 'No-show rate' }).click();
  await page.getByRole('link', { name: 'No-show rate' }).click();
  await page.waitForURL(/dir=desc/);
  assert.equal((await rows.first().locator('td').nth(1).innerText()).trim(), 'Strasbourg');

  // The Excel export of the overview downloads, opens, and holds a row per stop plus totals.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Overview (Excel)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^overview-.*\.xlsx$/);
  const [{ sheet: sheetName, data: sheet }] = await readXlsxFile(await download.path());
  assert.equal(sheetName, 'Overview');
  assert.equal(sheet.length, 1 + stops + 1, 'header, the stops, totals');
  assert.equal(sheet[0][1], 'City');
  const strasbourg = sheet.find((row) => row[1] === 'Strasbourg');
  assert.ok(strasbourg, 'a Strasbourg row');
  assert.ok(strasbourg[0] instanceof Date, 'dates are real dates');
  assert.equal(typeof strasbourg[2], 'number', 'counts are numbers');
  assert.ok(strasbourg[9] > 0.25 && strasbourg[9] < 0.35, `no-show rate as a ratio: ${strasbourg[9]}`);

  // The stop's detail: arrivals per quarter hour, workshops, feedback against the tour.
  await page.getByRole('link', { name: 'Strasbourg' }).click();
  await page.waitForURL(/\/analytics\/stops\//);
  await assert.doesNotReject(page.getByRole('img', { name: /Arrivals per quarter hour/ }).waitFor());
  await assert.doesNotReject(page.getByRole('img', { name: 'Workshops: seats, enrolled, attended' }).waitFor());
  await assert.doesNotReject(page.getByRole('img', { name: 'Complaints by theme' }).waitFor());
  const workshops = await page.locator('#workshops-table').innerText();
  assert.match(workshops, /Devenir Spécialiste PME/);
  const bars = await page.locator('#chart-arrivals rect').count();
  assert.ok(bars > 3, `arrival bars drawn: ${bars}`);
  await screenshot(page, 'analytics-stop-strasbourg');
  // Without colour: printed to PDF the charts stay vector (text is kept).
  await page.emulateMedia({ media: 'print' });
  await screenshot(page, 'analytics-stop-strasbourg-print');
  await context.close();
});

test('the stop held today refreshes itself when someone arrives', async () => {
  const admin = await tokenFor(DEMO.admin);
  const staff = await tokenFor(DEMO.staff);
  const tour = await api('GET', '/api/v1/tours/rencontres-360-prochaines-etapes');
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/Paris' });
  const city = `Colmar ${Date.now()}`;
  // Stops are typed in local time with an offset; late in the evening UTC the Paris day may be
  // tomorrow already, which the Europe/Paris date above accounts for.
  const offset = new Intl.DateTimeFormat('en-US', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' })
    .formatToParts(new Date())
    .find((p) => p.type === 'timeZoneName')
    .value.replace('GMT', '') || '+00:00';
  const stop = await api('POST', `/api/v1/tours/${tour.id}/stops`, {
    token: admin,
    expect: 201,
    body: {
      city,
      venue: 'Parc des Expositions',
      address: 'Avenue de la Foire aux Vins, 68000 Colmar',
      timezone: 'Europe/Paris',
      starts_at: `${today}T00:01:00${offset}`,
      ends_at: `${today}T23:59:00${offset}`,
      capacity: 50,
    },
  });

  const { context, page } = await marketingPage();
  await page.goto(`${BASE}/analytics/stops/${stop.id}`);
  const checkedIn = page.locator('#live .facts div', { hasText: 'Checked in' }).locator('dd strong');
  assert.equal((await checkedIn.innerText()).trim(), '0');
  await page.evaluate(() => { window.__notReloaded = true; });

  // A walk-in at the door: registered and checked in at once.
  await api('POST', `/api/v1/stops/${stop.id}/walk-ins`, {
    token: staff,
    expect: 201,
    body: {
      first_name: 'Odile',
      last_name: 'Meyer',
      email: `odile.${Date.now()}@example.fr`,
      company: 'Colmar Micro',
      consent: true,
      workshops: [],
    },
  });
  await page.waitForFunction(
    () => document.querySelector('#live')?.textContent.includes('Checked in') &&
      [...document.querySelectorAll('#live .facts div')].some((d) => d.textContent.includes('Checked in') && d.querySelector('dd strong')?.textContent.trim() === '1'),
    null,
    { timeout: 15000 },
  );
  assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page was not reloaded');
  await assert.doesNotReject(page.getByRole('img', { name: /Arrivals per quarter hour/ }).waitFor());
  await screenshot(page, 'analytics-stop-live');
  await context.close();
});
