// What an attendee and a marketer meet, in a real browser: the language that sticks, a
// duplicate registration that offers the e-mail again, a full stop's waiting list, cancelling
// without the tick, complaint times on the stop's clock, a filtered export that says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DEMO, launchBrowser, screenshot, api, tokenFor, assertNoCspViolations } from './helpers.mjs';

const RUN = Date.now();
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: 'fr-FR' };
let browser;
let admin;
let upcoming;

before(async () => {
  browser = await launchBrowser();
  admin = await tokenFor(DEMO.admin);
  upcoming = await api('GET', '/api/v1/tours/rencontres-360-prochaines-etapes');
});

after(async () => {
  await browser?.close();
  assertNoCspViolations();
});

/** A new stop of the upcoming tour with `capacity` seats and no workshop. */
async function newStop(city, capacity) {
  const day = new Date(Date.now() + 90 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  return api('POST', `/api/v1/tours/${upcoming.id}/stops`, {
    token: admin,
    expect: 201,
    body: { city: `${city} ${RUN}`, venue: 'Salle des fêtes', timezone: 'Europe/Paris',
      starts_at: `${day}T09:00:00+01:00`, ends_at: `${day}T17:00:00+01:00`, capacity },
  });
}

async function fillRegistration(page, first, email) {
  await page.locator('#f-first_name').fill(first);
  await page.locator('#f-last_name').fill('Hoffmann');
  await page.locator('#f-email').fill(email);
  await page.locator('#f-company').fill('Hoffmann Informatique');
  await page.locator('input[name=consent]').check();
}

test('attendee: the language sticks, a duplicate offers the e-mail again, a full stop says waiting list', { timeout: 90_000 }, async () => {
  const roomy = await newStop('Haguenau', 50);
  const full = await newStop('Saverne', 1);
  await api('POST', `/api/v1/stops/${full.id}/registrations`, {
    expect: 201,
    body: { first_name: 'Premier', last_name: 'Arrivé', email: `premier.${RUN}@example.fr`, company: 'Arrivé SA', consent: true, workshops: [] },
  });
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    // English once, then English on the next page without asking again.
    await page.goto(`${BASE}/tours/${upcoming.slug}?lang=en`);
    await page.goto(`${BASE}/stops/${roomy.id}`);
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.goto(`${BASE}/stops/${roomy.id}?lang=fr`);

    // Registered, then the same address again: a notice with the way out, the form kept.
    const email = `lucie.${RUN}@example.fr`;
    await page.goto(`${BASE}/stops/${roomy.id}/register`);
    await fillRegistration(page, 'Lucie', email);
    await page.getByRole('button', { name: "Je m'inscris" }).click();
    await page.waitForURL(/\/manage\//);
    await page.goto(`${BASE}/stops/${roomy.id}/register`);
    await fillRegistration(page, 'Lucie', email);
    await page.getByRole('button', { name: "Je m'inscris" }).click();
    const notice = page.locator('.notice').filter({ hasText: 'déjà inscrite' });
    await notice.waitFor();
    assert.equal(await page.locator('.alert').count(), 0, 'a notice, not an error');
    await page.getByRole('button', { name: "Recevoir à nouveau l'e-mail de confirmation" }).click();
    await page.locator('.notice').filter({ hasText: 'vient de repartir' }).waitFor();
    assert.equal(await page.locator('#f-first_name').inputValue(), 'Lucie', 'the form keeps what was typed');
    await screenshot(page, 'journey-duplicate-resent');

    // A full stop: the button and the page say "waiting list", and the place in line shows.
    await page.goto(`${BASE}/stops/${full.id}`);
    await page.getByRole('link', { name: "M'inscrire sur la liste d'attente" }).click();
    await fillRegistration(page, 'Marc', `marc.${RUN}@example.fr`);
    await page.getByRole('button', { name: "M'inscrire sur la liste d'attente" }).click();
    await page.waitForURL(/\/manage\//);
    await page.getByText('Votre place dans la file d\'attente').waitFor();
    assert.match(await page.locator('main').innerText(), /file d'attente\s*:\s*1/);
    await screenshot(page, 'journey-waitlisted');
  } finally {
    await context.close();
  }
});

test('attendee: cancelling without the tick says so where the eye is, and nothing is cancelled', { timeout: 60_000 }, async () => {
  const stop = await newStop('Obernai', 20);
  const r = await api('POST', `/api/v1/stops/${stop.id}/registrations`, {
    expect: 201,
    body: { first_name: 'Nina', last_name: 'Roth', email: `nina.${RUN}@example.fr`, company: 'Roth SARL', consent: true, workshops: [] },
  });
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  try {
    await page.goto(`${BASE}${new URL(r.manage_url).pathname}`);
    await page.getByRole('button', { name: 'Annuler mon inscription' }).click();
    await page.locator('[role=alert]').first().waitFor();
    // Whichever says it (the alert or the error beside the box), it is on screen.
    const shown = await page.locator('[role=alert], .field-error').evaluateAll((els) => els.some((el) => {
      const r = el.getBoundingClientRect();
      return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
    }));
    assert.equal(shown, true, 'the message is on screen, not 1,900 px below');
    assert.equal((await api('GET', `/api/v1/manage/${new URL(r.manage_url).pathname.split('/').pop()}`)).status, 'confirmed');
    await screenshot(page, 'journey-cancel-unticked');
  } finally {
    await context.close();
  }
});

test('marketing: complaint times on the stop\'s clock, a filtered export named as filtered', { timeout: 60_000 }, async () => {
  const tour = await api('GET', '/api/v1/tours/rencontres-360-2026');
  const strasbourg = tour.stops.find((s) => s.city === 'Strasbourg');
  const marketing = await tokenFor(DEMO.marketing);
  const complaint = await api('POST', '/api/v1/complaints', {
    token: marketing,
    expect: 201,
    body: { stop_id: strasbourg.id, theme: 'licensing', summary: `Licences OEM ${RUN}`, company: 'Alsace Micro' },
  });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
  const page = await context.newPage();
  try {
    // The login form in French (the helper reads English labels).
    await page.goto(`${BASE}/login`);
    await page.locator('input[name=email]').fill(DEMO.marketing.email);
    await page.locator('input[name=password]').fill(DEMO.marketing.password);
    await Promise.all([
      page.waitForURL((url) => !url.pathname.startsWith('/login')),
      page.locator('form[action="/login"] button[type=submit]').click(),
    ]);
    await page.goto(`${BASE}/complaints/${complaint.id}`);
    const paris = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' })
      .format(new Date(complaint.created_at));
    assert.match(await page.locator('#history li').first().innerText(), new RegExp(paris));

    await page.goto(`${BASE}/analytics/stops/${strasbourg.id}?partner_type=reseller`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('a[href*="export/attendees.csv"]').click(),
    ]);
    assert.match(download.suggestedFilename(), /-filtre-revendeur\.csv$/);
    const rows = (await (await fetch(`${BASE}/analytics/stops/${strasbourg.id}/export/attendees.csv?partner_type=reseller`, {
      headers: { authorization: `Bearer ${marketing}` },
    })).text()).trim().split('\n').slice(1);
    assert.ok(rows.length > 0 && rows.every((line) => line.includes(';Revendeur;')), 'only resellers');
  } finally {
    await context.close();
  }
});
