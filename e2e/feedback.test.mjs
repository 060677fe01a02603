// Feedback after a stop, in a real browser: node --test --test-concurrency=1 e2e/
// Needs a server started with `roadshow serve --demo` at BASE_URL without SMTP, so that e-mails
// are written as .eml files into MAIL_DIR (ROADSHOW_DATA_DIR/mail; see .ci/run).
//
// Through the JSON API: a new stop, one attendee checked in at the entrance, marketing asks for
// feedback. Then the attendee opens the link of the e-mail on a phone and answers (one theme
// ticked opens a complaint), and marketing resolves that complaint from its pages.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { BASE, DEMO, launchBrowser, newContext, screenshot, api, tokenFor, assertNoCspViolations, assertNoHorizontalScroll } from './helpers.mjs';

const TOUR_SLUG = 'rencontres-360-2026';
const RUN = Date.now();
const CITY = `Épinal ${RUN}`;
const COMPANY = `Vosges Informatique ${RUN}`;
const EMAIL = `claire.${RUN}@example.fr`;
const COMMENT = 'On a à peine fini de maîtriser le principe que déjà Microsoft en change';
const MAIL_DIR = process.env.MAIL_DIR;

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

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  assertNoCspViolations();
});

// --- the e-mail ------------------------------------------------------------

/** Undoes quoted-printable: soft line breaks, then =XX bytes (UTF-8). */
function decodeQuotedPrintable(text) {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i++) {
    const hex = joined.slice(i + 1, i + 3);
    if (joined[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(joined[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * The readable text of a raw message: the raw text itself, its quoted-printable decoding, and
 * every base64 part decoded (lettre picks the transfer encoding of each part).
 */
function readableText(raw) {
  const texts = [raw, decodeQuotedPrintable(raw)];
  const partRe = /Content-Transfer-Encoding:\s*base64\r?\n(?:[^\r\n]+\r?\n)*\r?\n([A-Za-z0-9+/=\r\n]+)/gi;
  for (const m of raw.matchAll(partRe)) {
    texts.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64').toString('utf8'));
  }
  return texts.join('\n');
}

/** Polls MAIL_DIR for the feedback e-mail sent to `address`; returns { file, link }. */
async function waitForFeedbackLink(address, timeoutMs = 15_000) {
  assert.ok(MAIL_DIR, 'MAIL_DIR must name the folder the server writes .eml files to (see .ci/run)');
  const linkRe = /https?:\/\/[^\s"<>]+\/feedback\/[A-Za-z0-9_-]+/g;
  const deadline = Date.now() + timeoutMs;
  let seen = [];
  for (;;) {
    seen = fs.existsSync(MAIL_DIR) ? fs.readdirSync(MAIL_DIR).filter((f) => f.endsWith('.eml')) : [];
    for (const name of seen) {
      const file = path.join(MAIL_DIR, name);
      const raw = fs.readFileSync(file, 'utf8');
      if (!raw.includes(address)) continue;
      const text = readableText(raw);
      if (!text.includes('/feedback/')) continue;
      // The unsubscribe link is /feedback/{token}/unsubscribe: keep only links that end there.
      const links = [...text.matchAll(linkRe)]
        .filter((m) => text[m.index + m[0].length] !== '/')
        .map((m) => m[0]);
      if (links.length > 0) return { file, link: links[0] };
    }
    if (Date.now() > deadline) break;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  assert.fail(`no feedback e-mail to ${address} in ${MAIL_DIR} after ${timeoutMs} ms (${seen.length} .eml files there)`);
}

// --- pages -----------------------------------------------------------------


/** Clicks a submit button and returns the response to the POST navigation (before redirects). */
async function submit(page, button) {
  const [res] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
    button.click(),
  ]);
  await page.waitForLoadState();
  return res;
}

/** Log in through the French login form. */
async function loginFr(page, { email, password }) {
  await page.goto(`${BASE}/login`);
  await page.getByLabel('E-mail', { exact: true }).fill(email);
  await page.getByLabel('Mot de passe', { exact: true }).fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login')),
    page.getByRole('button', { name: 'Se connecter', exact: true }).click(),
  ]);
}

/** One rating fieldset, found by its legend. */
const ratingGroup = (page, legend) => page.getByRole('group', { name: legend, exact: true });

/** Ticks the `label.pick` showing `n` in the fieldset named `legend`. */
async function pick(page, legend, n) {
  const choice = ratingGroup(page, legend).locator('label.pick', { hasText: new RegExp(`^\\s*${n}\\s*$`) });
  assert.equal(await choice.count(), 1, `${legend}: one choice ${n}`);
  await choice.click();
  assert.ok(await choice.locator('input[type=radio]').isChecked(), `${legend}: ${n} checked`);
}

test('feedback: the link from the e-mail opens the form on a phone, the answer opens a complaint that marketing resolves', { timeout: 120_000 }, async () => {
  // --- set up through the API: a stop, one attendee checked in, feedback asked for.
  const admin = await tokenFor(DEMO.admin);
  const tour = await api('GET', `/api/v1/tours/${TOUR_SLUG}`);
  const stop = await api('POST', `/api/v1/tours/${tour.id}/stops`, {
    token: admin,
    expect: 201,
    body: {
      city: CITY,
      venue: 'Centre des Congrès',
      timezone: 'Europe/Paris',
      starts_at: '2027-10-13T09:00:00+02:00',
      ends_at: '2027-10-13T17:30:00+02:00',
      capacity: 50,
    },
  });
  const stopId = stop.id;
  const reg = await api('POST', `/api/v1/stops/${stopId}/registrations`, {
    expect: 201,
    body: {
      first_name: 'Claire',
      last_name: 'Feedback',
      email: EMAIL,
      company: COMPANY,
      consent: true,
      workshops: [],
    },
  });
  assert.ok(reg.badge?.token, 'the registration hands out a badge token');

  const staff = await tokenFor(DEMO.staff);
  const detail = await api('GET', `/api/v1/stops/${stopId}`);
  const entranceId = detail.checkpoints.find((c) => c.kind === 'entrance')?.id;
  assert.ok(entranceId, 'the stop has an entrance checkpoint');
  const scan = await api('POST', '/api/v1/checkins', {
    token: staff,
    body: { token: reg.badge.token, checkpoint_id: entranceId },
  });
  assert.equal(scan.result, 'ok', `check-in at the entrance: ${JSON.stringify(scan)}`);

  const marketing = await tokenFor(DEMO.marketing);
  const asked = await api('POST', `/api/v1/stops/${stopId}/feedback-requests`, { token: marketing, expect: 202 });
  assert.deepEqual(asked, { queued: 1 }, 'one feedback e-mail queued');

  // --- the e-mail, written by the outbox worker.
  const { file, link } = await waitForFeedbackLink(EMAIL);
  const linkUrl = new URL(link);
  assert.match(linkUrl.pathname, /^\/feedback\/[A-Za-z0-9_-]+$/, `feedback link in ${file}`);
  const feedbackPath = linkUrl.pathname;

  // --- the attendee answers on her phone.
  const phone = await newContext(browser, { ...PHONE, locale: 'fr-FR' });
  phone.setDefaultTimeout(20_000);
  try {
    const page = await phone.newPage();
    // The link is built from ROADSHOW_BASE_URL, which is BASE in CI.
    const opened = await page.goto(`${BASE}${feedbackPath}`);
    assert.equal(opened.status(), 200, `GET ${feedbackPath}`);
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    await page.getByText(CITY).first().waitFor();

    const legends = {
      overall: "Dans l'ensemble, la journée",
      trainers: 'Les formateurs',
      content: 'Le contenu des ateliers',
    };
    for (const [name, legend] of Object.entries(legends)) {
      const group = ratingGroup(page, legend);
      assert.equal(await group.locator(`input[type=radio][name=${name}]`).count(), 5, `${legend}: five radios`);
      assert.equal(await group.locator('label.pick').count(), 5, `${legend}: five label.pick`);
    }
    const nps = ratingGroup(page, 'Recommanderiez-vous ces rencontres à un confrère ?');
    assert.equal(await nps.locator('input[type=radio][name=nps]').count(), 11, 'nps: radios 0 to 10');
    const themes = ratingGroup(page, 'Un sujet à nous signaler ?');
    assert.ok((await themes.locator('input[type=checkbox][name=themes]').count()) >= 1, 'theme checkboxes');
    const licensing = page.getByRole('checkbox', { name: 'La politique de licences', exact: true });
    assert.equal(await licensing.count(), 1, 'a checkbox "La politique de licences"');
    assert.equal(
      await page.getByRole('checkbox', { name: 'Prévenez-moi par e-mail de la suite donnée à ces sujets', exact: true }).count(),
      1,
      'the notify-me checkbox',
    );
    const comment = page.getByLabel('Dites-nous en plus', { exact: true });
    assert.equal(await comment.count(), 1, 'a textarea "Dites-nous en plus"');
    const send = page.getByRole('button', { name: 'Envoyer mon avis', exact: true });
    await assertNoHorizontalScroll(page, 'feedback form');

    // Nothing chosen → 422 with the form again and its errors.
    const bad = await submit(page, send);
    assert.equal(bad.status(), 422, 'an empty answer should be 422');
    await page.getByRole('alert').first().waitFor();
    assert.ok((await page.locator('.field-error').count()) >= 3, 'at least three .field-error');
    assert.equal(await page.getByRole('status').count(), 0, 'no thanks yet');
    await assertNoHorizontalScroll(page, 'feedback form with errors');

    await pick(page, legends.overall, 2);
    await pick(page, legends.trainers, 1);
    await pick(page, legends.content, 3);
    await pick(page, 'Recommanderiez-vous ces rencontres à un confrère ?', 3);
    await page.getByRole('checkbox', { name: 'La politique de licences', exact: true }).check();
    await page.getByLabel('Dites-nous en plus', { exact: true }).fill(COMMENT);
    await assertNoHorizontalScroll(page, 'feedback form filled in');
    await screenshot(page, 'feedback-form-fr');

    const ok = await submit(page, page.getByRole('button', { name: 'Envoyer mon avis', exact: true }));
    assert.equal(ok.status(), 201, 'the answer should be recorded (201)');
    const thanks = page.getByRole('status');
    await thanks.waitFor();
    assert.equal((await thanks.innerText()).trim(), 'Merci ! Votre avis est enregistré.');
    assert.equal(await page.getByRole('button', { name: 'Envoyer mon avis' }).count(), 0, 'no form after thanks');
    await assertNoHorizontalScroll(page, 'feedback thanks');
    await screenshot(page, 'feedback-thanks-fr');
  } finally {
    await phone.close();
  }

  // --- marketing resolves the complaint on a desktop.
  const desk = await newContext(browser, { locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
  desk.setDefaultTimeout(20_000);
  try {
    const page = await desk.newPage();
    await loginFr(page, DEMO.marketing);
    await page.goto(`${BASE}/complaints?theme=licensing`);
    const row = page.locator('#complaints tbody tr', { hasText: COMPANY });
    assert.equal(await row.count(), 1, `one licensing complaint for ${COMPANY}`);
    const open = row.locator('td').nth(3).getByRole('link');
    assert.equal((await open.innerText()).trim(), COMMENT, 'the summary is the comment');
    await Promise.all([
      page.waitForURL((url) => /^\/complaints\/[^/]+$/.test(url.pathname) && url.pathname !== '/complaints/new'),
      open.click(),
    ]);
    const complaintPath = new URL(page.url()).pathname;
    assert.match(await page.locator('#status').innerText(), /ouverte/, 'a new complaint is open');

    await page.getByLabel('État', { exact: true }).selectOption('resolved');
    await page.getByLabel('Responsable', { exact: true }).fill('Bertrand Launay');
    await page.getByLabel('Résolution', { exact: true }).fill('Fiche claire des programmes envoyée aux partenaires');
    const saved = await submit(page, page.getByRole('button', { name: 'Enregistrer', exact: true }));
    assert.equal(saved.status(), 303, 'saving redirects (303)');
    await page.waitForURL((url) => url.pathname === complaintPath);
    assert.match(await page.locator('#status').innerText(), /résolue/);
    assert.ok((await page.locator('#history li').count()) >= 3, 'at least three history lines');
    await screenshot(page, 'feedback-complaint-resolved-fr');
  } finally {
    await desk.close();
  }

  const complaints = await api('GET', `/api/v1/complaints?stop_id=${encodeURIComponent(stopId)}`, { token: marketing });
  assert.equal(complaints.length, 1, 'one complaint for the stop');
  const [c] = complaints;
  assert.equal(c.theme, 'licensing');
  assert.equal(c.company, COMPANY);
  assert.equal(c.status, 'resolved');
  assert.equal(c.owner, 'Bertrand Launay');
  assert.equal(c.resolution, 'Fiche claire des programmes envoyée aux partenaires');
  assert.equal(c.notify_reseller, false);
});

/** Polls MAIL_DIR for an e-mail to `address` holding a link to `/{segment}/…`; returns its path. */
async function waitForLink(address, segment, timeoutMs = 15_000) {
  const linkRe = new RegExp(`https?://[^\\s"<>]+/${segment}/[A-Za-z0-9_-]+`, 'g');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const names = fs.existsSync(MAIL_DIR) ? fs.readdirSync(MAIL_DIR).filter((f) => f.endsWith('.eml')) : [];
    for (const name of names) {
      const raw = fs.readFileSync(path.join(MAIL_DIR, name), 'utf8');
      if (!raw.includes(address)) continue;
      const found = readableText(raw).match(linkRe);
      if (found) return new URL(found[0]).pathname;
    }
    if (Date.now() > deadline) break;
    await new Promise((ok) => setTimeout(ok, 250));
  }
  assert.fail(`no e-mail to ${address} with a /${segment}/ link in ${MAIL_DIR}`);
}

test('after the stop, an attendee asks on the phone to be erased and confirms through the e-mailed link', { timeout: 120_000 }, async () => {
  const admin = await tokenFor(DEMO.admin);
  const tour = await api('GET', `/api/v1/tours/${TOUR_SLUG}`);
  const email = `zoe.${RUN}@example.fr`;
  const stop = await api('POST', `/api/v1/tours/${tour.id}/stops`, {
    token: admin,
    expect: 201,
    body: {
      city: `Thionville ${RUN}`, venue: 'Puzzle', timezone: 'Europe/Paris',
      starts_at: '2027-10-13T09:00:00+02:00', ends_at: '2027-10-13T17:30:00+02:00', capacity: 50,
    },
  });
  const reg = await api('POST', `/api/v1/stops/${stop.id}/registrations`, {
    expect: 201,
    body: { first_name: 'Zoé', last_name: 'Kléber', email, company: `Kléber SARL ${RUN}`, consent: true },
  });
  // The day is over.
  const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
  await api('PATCH', `/api/v1/stops/${stop.id}`, {
    token: admin,
    body: { starts_at: `${yesterday}T08:00:00+00:00`, ends_at: `${yesterday}T16:00:00+00:00` },
  });

  const phone = await newContext(browser, { ...PHONE, locale: 'fr-FR' });
  phone.setDefaultTimeout(20_000);
  try {
    const page = await phone.newPage();
    await page.goto(`${BASE}${new URL(reg.manage_url).pathname}`);
    await page.getByRole('heading', { name: 'Mes données' }).waitFor();
    await assertNoHorizontalScroll(page, 'manage page after the stop');
    await page.getByRole('button', { name: "Demander l'effacement" }).click();
    await page.locator('[role=status]', { hasText: 'e-mail avec le lien de confirmation' }).waitFor();
    await screenshot(page, 'manage-erasure-asked-phone');

    const erasePath = await waitForLink(email, 'erase');
    await page.goto(`${BASE}${erasePath}`);
    assert.equal((await page.locator('#erase-email').innerText()).trim(), email);
    await assertNoHorizontalScroll(page, 'erase page');
    await screenshot(page, 'erase-confirm-phone');
    await page.getByRole('button', { name: 'Tout effacer' }).click();
    await page.locator('#erased').waitFor();
    await screenshot(page, 'erase-done-phone');

    // What the admin sees afterwards: nothing under that address.
    await api('GET', `/api/v1/people/${encodeURIComponent(email)}`, { token: admin, expect: 404 });
    const mine = await api('GET', new URL(reg.manage_url).pathname.replace('/manage/', '/api/v1/manage/'));
    assert.match(mine.email, /@erased\.invalid$/);
  } finally {
    await phone.close();
  }
});
