// Public registration flow on a phone, in a real browser: node --test --test-concurrency=1 e2e/
// Needs a server started with `roadshow serve --demo` at BASE_URL (see .ci/run).
//
// The demo tour's stops are in the past (registration closed), so `before` creates an open
// stop through the JSON API, with two overlapping workshops (one time slot, radio buttons)
// and a later one (its own slot, a checkbox).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DEMO, launchBrowser, newContext, screenshot, api, assertNoCspViolations, assertNoHorizontalScroll } from './helpers.mjs';

const TOUR_SLUG = 'rencontres-360-2026';
const RUN = Date.now();
const CITY = `Colmar ${RUN}`;
const W = {
  label: 'Le label Spécialiste PME',
  sbs: 'Small Business Server 2003',
  licences: 'Licences',
};

/** An iPhone-sized touch screen. */
const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
};

let browser;
let stopId;
/** Workshop ids by key of W. */
const workshopIds = {};

before(async () => {
  browser = await launchBrowser();

  const { token } = await api('POST', '/api/v1/auth/tokens', { body: DEMO.admin, expect: 201 });
  assert.ok(token, 'the API should hand out a bearer token');
  const tour = await api('GET', `/api/v1/tours/${TOUR_SLUG}`);
  const stop = await api('POST', `/api/v1/tours/${tour.id}/stops`, {
    token,
    expect: 201,
    body: {
      city: CITY,
      venue: 'Parc des Expositions',
      timezone: 'Europe/Paris',
      starts_at: '2027-10-13T09:00:00+02:00',
      ends_at: '2027-10-13T17:30:00+02:00',
      capacity: 100,
    },
  });
  stopId = stop.id;
  const workshops = [
    ['label', { title: W.label, room: 'Salle A', trainer: 'Marc Schneider', starts_at: '2027-10-13T11:00:00+02:00', ends_at: '2027-10-13T12:30:00+02:00', capacity: 30 }],
    ['sbs', { title: W.sbs, room: 'Salle B', trainer: 'Julie Weber', starts_at: '2027-10-13T11:00:00+02:00', ends_at: '2027-10-13T12:30:00+02:00', capacity: 30 }],
    ['licences', { title: W.licences, room: 'Salle A', trainer: 'Marc Schneider', starts_at: '2027-10-13T16:00:00+02:00', ends_at: '2027-10-13T17:00:00+02:00', capacity: 30 }],
  ];
  for (const [key, body] of workshops) {
    const w = await api('POST', `/api/v1/stops/${stopId}/workshops`, { token, body, expect: 201 });
    workshopIds[key] = w.id;
  }
});

after(async () => {
  await browser?.close();
  assertNoCspViolations();
});

function phoneContext(locale) {
  return newContext(browser, { ...PHONE, locale });
}

/** Exact label, allowing the " *" that marks a required field ("Nom" is inside "Prénom"). */
const escapeRe = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const field = (page, label) => page.getByLabel(new RegExp(`^${escapeRe(label)}( \\*)?$`));

/** Text of the .field-error in the .field wrapping the control labelled `label` ('' if none). */
function fieldError(page, label) {
  return field(page, label).evaluate(
    (el) => el.closest('.field')?.querySelector('.field-error')?.textContent?.trim() ?? '',
  );
}
function hasErrorClass(page, label) {
  return field(page, label).evaluate((el) => el.closest('.field')?.classList.contains('has-error') ?? false);
}


/** Clicks a submit button and returns the response to the POST navigation (before redirects). */
async function submit(page, button) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    button.click(),
  ]);
  await page.waitForLoadState();
  return res;
}

/** The manage token from the current URL (/manage/{token}). */
function manageToken(page) {
  const m = /^\/manage\/([^/]+)$/.exec(new URL(page.url()).pathname);
  assert.ok(m, `expected /manage/{token}, got ${page.url()}`);
  return m[1];
}

/** The QR image really loaded (an SVG from /api/v1/badges/{token}/qr.svg). */
async function assertBadgeLoaded(page) {
  const img = page.locator('img#badge-qr');
  await img.waitFor();
  const src = new URL(await img.getAttribute('src'), BASE).pathname;
  assert.match(src, /^\/api\/v1\/badges\/[^/]+\/qr\.svg$/, 'badge image source');
  const natural = await img.evaluate(async (el) => {
    if (!el.complete) await new Promise((ok) => { el.onload = ok; el.onerror = ok; });
    return el.naturalWidth;
  });
  assert.ok(natural > 0, `badge QR should load (naturalWidth ${natural})`);
  assert.notEqual((await img.getAttribute('alt')) ?? '', '', 'badge QR needs an alt text');
}

/** Workshop titles and statuses of a registration, through the API. */
async function registrationOf(token) {
  const r = await api('GET', `/api/v1/manage/${token}`);
  return { status: r.status, workshops: r.workshops.map((w) => [w.workshop_id, w.status]).sort() };
}

test('fr: programme → form with errors (422) → registered, badge, calendar', { timeout: 120_000 }, async () => {
  const ctx = await phoneContext('fr-FR');
  ctx.setDefaultTimeout(20_000);
  const page = await ctx.newPage();
  try {
    // The stop's programme, with the two overlapping workshops and the later one.
    await page.goto(`${BASE}/stops/${stopId}`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    await page.getByRole('heading', { level: 1, name: CITY }).waitFor();
    for (const title of Object.values(W)) {
      await page.getByText(title, { exact: true }).waitFor();
    }
    await assertNoHorizontalScroll(page, 'stop page (fr)');
    const link = page.getByRole('link', { name: "S'inscrire", exact: true });
    assert.equal(new URL(await link.getAttribute('href'), BASE).pathname, `/stops/${stopId}/register`);
    await link.click();
    await page.waitForURL((url) => url.pathname === `/stops/${stopId}/register`);

    // Every field has its label.
    for (const label of ['Prénom', 'Nom', 'E-mail professionnel', 'Société', 'Fonction', 'Numéro de partenaire']) {
      assert.equal(await field(page, label).count(), 1, `one field labelled "${label}"`);
    }
    for (const label of ['Taille de votre société', 'Langue des e-mails']) {
      assert.equal(await page.getByRole('combobox', { name: label, exact: true }).count(), 1, `a select labelled "${label}"`);
    }
    assert.equal(await field(page, 'Langue des e-mails').inputValue(), 'fr', 'e-mail language defaults to the page language');

    // Workshops: one group per slot; the overlapping pair as radios with "none", the later one a checkbox.
    const ateliers = page.getByRole('group', { name: 'Ateliers', exact: true });
    await ateliers.waitFor();
    assert.equal(await ateliers.locator('input[type=radio][name=slot_0]').count(), 3, 'slot 0: none + two radios');
    assert.equal(await ateliers.getByRole('radio', { name: "Pas d'atelier sur ce créneau" }).count(), 1);
    assert.ok(await ateliers.getByRole('radio', { name: "Pas d'atelier sur ce créneau" }).isChecked(), '"none" checked by default');
    assert.equal(await ateliers.locator('input[name=slot_1]').count(), 1);
    assert.equal(await ateliers.locator('input[name=slot_1]').getAttribute('type'), 'checkbox');
    for (const title of Object.values(W)) {
      assert.equal(await ateliers.locator('label.choice', { hasText: title }).locator('input').count(), 1, `a choice for ${title}`);
    }
    const consent = page.locator('#f-consent');
    assert.match((await page.getByRole('checkbox', { name: /^J'accepte/ }).getAttribute('id')) ?? '', /^f-consent$/);
    const send = page.getByRole('button', { name: "Je m'inscris", exact: true });
    await assertNoHorizontalScroll(page, 'registration form (fr)');

    // Invalid: first name empty, a broken e-mail, no consent → 422, three errors, the rest kept.
    const company = 'Garage Muller & Fils';
    await field(page, 'Prénom').fill('');
    await field(page, 'Nom').fill('Muller');
    await field(page, 'E-mail professionnel').fill('claire@');
    await field(page, 'Société').fill(company);
    await field(page, 'Fonction').fill('Gérante');
    await field(page, 'Taille de votre société').selectOption('6-20');
    await ateliers.getByRole('radio', { name: new RegExp(`^${W.label}`) }).check();
    const bad = await submit(page, send);
    assert.equal(bad.status(), 422, 'invalid registration should answer 422');
    assert.equal(new URL(page.url()).pathname, `/stops/${stopId}/register`);
    await page.getByRole('alert').first().waitFor();
    for (const label of ['Prénom', 'E-mail professionnel']) {
      assert.ok(await hasErrorClass(page, label), `${label}: .field.has-error`);
      assert.notEqual(await fieldError(page, label), '', `${label}: a .field-error`);
      assert.equal(await field(page, label).getAttribute('aria-invalid'), 'true', `${label}: aria-invalid`);
    }
    assert.ok(await consent.evaluate((el) => el.closest('.field')?.classList.contains('has-error')), 'consent: .field.has-error');
    assert.notEqual(await consent.evaluate((el) => el.closest('.field')?.querySelector('.field-error')?.textContent?.trim() ?? ''), '', 'consent: a .field-error');
    assert.equal(await page.locator('.field.has-error').count(), 3, 'exactly three fields in error');
    assert.equal(await page.locator('p.field-error').count(), 3, 'exactly three error messages');
    assert.equal(await field(page, 'Société').inputValue(), company, 'Société kept');
    assert.equal(await field(page, 'Nom').inputValue(), 'Muller', 'Nom kept');
    assert.equal(await field(page, 'E-mail professionnel').inputValue(), 'claire@', 'e-mail kept as typed');
    assert.equal(await field(page, 'Fonction').inputValue(), 'Gérante', 'Fonction kept');
    assert.equal(await field(page, 'Taille de votre société').inputValue(), '6-20', 'company size kept');
    assert.ok(await ateliers.getByRole('radio', { name: new RegExp(`^${W.label}`) }).isChecked(), 'workshop choice kept');
    await assertNoHorizontalScroll(page, 'registration form with errors (fr)');
    await screenshot(page, 'register-form-errors-fr');

    // Valid: fixed fields, consent, and the later workshop too → 303 to the manage page.
    await field(page, 'Prénom').fill('Claire');
    await field(page, 'E-mail professionnel').fill(`claire.muller.${RUN}@garage-muller.example`);
    await field(page, 'Numéro de partenaire').fill('FR-123456');
    await ateliers.getByRole('checkbox', { name: new RegExp(`^${W.licences}`) }).check();
    await consent.check();
    const ok = await submit(page, page.getByRole('button', { name: "Je m'inscris", exact: true }));
    assert.equal(ok.status(), 303, 'valid registration should redirect with 303');
    const location = new URL(ok.headers()['location'], BASE);
    assert.match(location.pathname, /^\/manage\/[^/]+$/);
    assert.equal(location.searchParams.get('welcome'), '1');
    await page.waitForURL((url) => url.pathname === location.pathname);
    const token = manageToken(page);

    const notice = page.getByRole('status');
    assert.match(await notice.innerText(), /inscrit/, 'welcome notice says registered');
    assert.match(await page.locator('#status').innerText(), /confirmée/);
    await assertBadgeLoaded(page);
    const print = page.getByRole('link', { name: 'Imprimer le badge', exact: true });
    assert.equal(new URL(await print.getAttribute('href'), BASE).pathname, `/manage/${token}/badge`);
    const cal = page.getByRole('link', { name: "Ajouter à l'agenda", exact: true });
    const calPath = new URL(await cal.getAttribute('href'), BASE).pathname;
    assert.equal(calPath, `/manage/${token}/calendar.ics`);
    const ics = await page.request.get(`${BASE}${calPath}`);
    assert.equal(ics.status(), 200);
    assert.match(ics.headers()['content-type'] ?? '', /^text\/calendar/);
    const icsText = await ics.text();
    assert.match(icsText, /BEGIN:VCALENDAR/);
    assert.match(icsText, /BEGIN:VEVENT/);
    await assertNoHorizontalScroll(page, 'manage page (fr)');
    await screenshot(page, 'register-confirmation-fr');

    const reg = await registrationOf(token);
    assert.equal(reg.status, 'confirmed');
    assert.deepEqual(
      reg.workshops,
      [[workshopIds.label, 'confirmed'], [workshopIds.licences, 'confirmed']].sort(),
      'both chosen workshops confirmed',
    );
    const full = await api('GET', `/api/v1/manage/${token}`);
    assert.equal(full.company, company);
    assert.equal(full.company_size, '6-20');
    assert.equal(full.partner_id, 'FR-123456');
    assert.equal(full.locale, 'fr');
  } finally {
    await ctx.close();
  }
});

test('en: register, change workshops on the manage page, then cancel', { timeout: 120_000 }, async () => {
  const ctx = await phoneContext('en-US');
  ctx.setDefaultTimeout(20_000);
  const page = await ctx.newPage();
  try {
    await page.goto(`${BASE}/stops/${stopId}`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.getByRole('link', { name: 'Register', exact: true }).click();
    await page.waitForURL((url) => url.pathname === `/stops/${stopId}/register`);

    for (const label of ['First name', 'Last name', 'Work email', 'Company', 'Job title', 'Size of your company', 'Partner number', 'Language of e-mails']) {
      assert.equal(await field(page, label).count(), 1, `one field labelled "${label}"`);
    }
    const workshops = page.getByRole('group', { name: 'Workshops', exact: true });
    await workshops.getByRole('radio', { name: 'No workshop in this slot' }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: /^I agree/ }).getAttribute('id'), 'f-consent');
    await assertNoHorizontalScroll(page, 'registration form (en)');

    await field(page, 'First name').fill('Thomas');
    await field(page, 'Last name').fill('Keller');
    await field(page, 'Work email').fill(`t.keller.${RUN}@keller-it.example`);
    await field(page, 'Company').fill('Keller IT');
    await field(page, 'Language of e-mails').selectOption('en');
    await workshops.getByRole('radio', { name: new RegExp(`^${W.sbs}`) }).check();
    await page.locator('#f-consent').check();
    const ok = await submit(page, page.getByRole('button', { name: 'Register', exact: true }));
    assert.equal(ok.status(), 303);
    await page.waitForURL((url) => /^\/manage\/[^/]+$/.test(url.pathname) && url.searchParams.get('welcome') === '1');
    const token = manageToken(page);
    assert.match(await page.getByRole('status').innerText(), /registered/);
    assert.match(await page.locator('#status').innerText(), /confirmed/);
    await assertBadgeLoaded(page);
    await page.getByRole('link', { name: 'Print the badge', exact: true }).waitFor();
    await page.getByRole('link', { name: 'Add to calendar', exact: true }).waitFor();
    await assertNoHorizontalScroll(page, 'manage page (en)');
    await screenshot(page, 'register-confirmation-en');
    assert.deepEqual((await registrationOf(token)).workshops, [[workshopIds.sbs, 'confirmed']]);

    // Change: the other workshop of the first slot, plus the later one.
    const change = page.getByRole('group', { name: 'Workshops', exact: true });
    assert.ok(await change.getByRole('radio', { name: new RegExp(`^${W.sbs}`) }).isChecked(), 'current choice pre-selected');
    assert.ok(!(await change.getByRole('checkbox', { name: new RegExp(`^${W.licences}`) }).isChecked()));
    await change.getByRole('radio', { name: new RegExp(`^${W.label}`) }).check();
    await change.getByRole('checkbox', { name: new RegExp(`^${W.licences}`) }).check();
    const saved = await submit(page, page.getByRole('button', { name: 'Save my workshops', exact: true }));
    assert.equal(saved.status(), 303);
    await page.waitForURL((url) => url.pathname === `/manage/${token}`);
    assert.deepEqual(
      (await registrationOf(token)).workshops,
      [[workshopIds.label, 'confirmed'], [workshopIds.licences, 'confirmed']].sort(),
    );
    assert.ok(await page.getByRole('radio', { name: new RegExp(`^${W.label}`) }).isChecked(), 'new choice shown');
    assert.ok(await page.getByRole('checkbox', { name: new RegExp(`^${W.licences}`) }).isChecked());
    for (const title of [W.label, W.licences]) {
      await page.locator('ul.cards li', { hasText: title }).waitFor();
    }
    assert.equal(await page.locator('ul.cards li', { hasText: W.sbs }).count(), 0, 'old workshop no longer listed');
    await assertNoHorizontalScroll(page, 'manage page after change (en)');

    // Cancel.
    // Without the confirmation tick the seat is kept and the box is flagged.
    const unconfirmed = await submit(page, page.getByRole('button', { name: 'Cancel my registration', exact: true }));
    assert.equal(unconfirmed.status(), 422);
    assert.equal(await page.locator('.field.has-error #f-confirm').count(), 1);
    await page.getByLabel('I confirm that I cancel my registration').check();
    const cancelled = await submit(page, page.getByRole('button', { name: 'Cancel my registration', exact: true }));
    assert.equal(cancelled.status(), 303);
    assert.match(await page.getByRole('status').innerText(), /cancelled/);
    assert.equal(await page.getByRole('link', { name: 'Register again' }).count(), 1);
    await page.waitForURL((url) => url.pathname === `/manage/${token}`);
    assert.match(await page.locator('#status').innerText(), /cancelled/);
    assert.equal(await page.locator('img#badge-qr').count(), 0, 'no badge once cancelled');
    assert.equal(await page.getByRole('button', { name: 'Cancel my registration' }).count(), 0, 'no cancel button once cancelled');
    assert.equal((await registrationOf(token)).status, 'cancelled');
    await screenshot(page, 'register-cancelled-en');
  } finally {
    await ctx.close();
  }
});
