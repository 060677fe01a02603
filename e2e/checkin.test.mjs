// Check-in at the door on a phone, in a real browser: node --test --test-concurrency=1 e2e/
// Needs a server started with `roadshow serve --demo` at BASE_URL (see .ci/run).
//
// `before` creates an open stop with a workshop through the JSON API and registers attendees;
// each test uses its own attendees, so the tests do not depend on each other's order.
// The fake camera is a 1-frame .y4m written here from the badge's QR PNG (no ffmpeg needed);
// Chromium re-opens it at every camera start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BASE, DEMO, launchBrowser, screenshot, api, assertNoCspViolations } from './helpers.mjs';

const TOUR_SLUG = 'rencontres-360-2026';
const RUN = Date.now();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-checkin-'));
const CAM = path.join(tmp, 'camera.y4m');
const W = 640;
const H = 480;

/** An iPhone-sized touch screen, in French (the verdict words are checked in French). */
const PHONE = {
  locale: 'fr-FR',
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

let browser;
let adminToken;
let stopId;
let entranceId;
/** Attendees by role in the tests: { first_name, last_name, company, token, qr } */
const people = {};

/** The entrance's counter as the server sees it (node's fetch ignores the browser's offline mode). */
async function checkedInAtEntrance() {
  return (await api('GET', `/api/v1/checkpoints/${entranceId}/status`, { token: adminToken })).checked_in;
}

/** Write one RGBA frame as a 1-frame I420 .y4m (Chromium loops it). Atomic: write + rename. */
function writeY4M(file, rgba, w = W, h = H) {
  const Y = Buffer.alloc(w * h);
  const U = Buffer.alloc((w / 2) * (h / 2));
  const V = Buffer.alloc((w / 2) * (h / 2));
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const [r, g, b] = [rgba[i], rgba[i + 1], rgba[i + 2]];
      Y[y * w + x] = (16 + (65.738 * r + 129.057 * g + 25.064 * b) / 256) | 0; // BT.601 limited range
      if (!(x & 1) && !(y & 1)) {
        const j = (y / 2) * (w / 2) + x / 2;
        U[j] = (128 + (-37.945 * r - 74.494 * g + 112.439 * b) / 256) | 0;
        V[j] = (128 + (112.439 * r - 94.154 * g - 18.285 * b) / 256) | 0;
      }
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\nFRAME\n`);
  fs.writeFileSync(`${file}.tmp`, Buffer.concat([header, Y, U, V]));
  fs.renameSync(`${file}.tmp`, file);
}

/** The badge's QR PNG laid on a "table", as the camera would see it: RGBA pixels, W×H. */
async function badgeFrame(page, qrUrl) {
  const b64 = await page.evaluate(
    async ([url, w, h]) => {
      const img = new Image();
      img.src = url; // same origin: the canvas stays readable
      await img.decode();
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      const ctx = c.getContext('2d');
      ctx.fillStyle = '#9a9a9a';
      ctx.fillRect(0, 0, w, h);
      // qr-scanner looks at the centre 2/3 of the frame: keep the code inside it.
      const size = Math.min(img.naturalWidth, 300);
      ctx.fillStyle = '#fff';
      ctx.fillRect(w / 2 - size / 2 - 6, h / 2 - size / 2 - 6, size + 12, size + 12);
      ctx.drawImage(img, w / 2 - size / 2, h / 2 - size / 2, size, size);
      const d = ctx.getImageData(0, 0, w, h).data;
      let s = '';
      for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode(...d.subarray(i, i + 0x8000));
      return btoa(s);
    },
    [qrUrl, W, H],
  );
  return Buffer.from(b64, 'base64');
}

/** Log in through the form, whatever the page language. */
async function loginStaff(page) {
  await page.goto(`${BASE}/login`);
  await page.locator('#f-email').fill(DEMO.staff.email);
  await page.locator('#f-password').fill(DEMO.staff.password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login')),
    page.locator('form[action="/login"] button[type=submit]').click(),
  ]);
}

/** A logged-in phone on the entrance scanner; collects page errors. */
async function openScanner(options = {}) {
  const context = await browser.newContext({ ...PHONE, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await loginStaff(page);
  return { context, page, errors };
}

const verdict = (page, result) => page.locator(`#verdict[data-result="${result}"]`);
const nameOf = (p) => `${p.first_name} ${p.last_name}`;

/** Types like a keyboard-wedge scanner into whatever has the focus: the code, then Enter. */
async function wedge(page, code) {
  await page.waitForFunction(() => document.activeElement?.id === 'code' && document.activeElement.value === '');
  await page.keyboard.type(`${code}\n`, { delay: 2 });
}

before(async () => {
  // Placeholder (grey frame) so that the fake device exists from the start.
  writeY4M(CAM, new Uint8Array(W * H * 4).fill(128));
  browser = await launchBrowser([
    '--use-fake-ui-for-media-stream', // auto-accept the camera permission prompt
    '--use-fake-device-for-media-stream', // a fake camera instead of /dev/video*
    `--use-file-for-fake-video-capture=${CAM}`,
  ]);

  adminToken = (await api('POST', '/api/v1/auth/tokens', { body: DEMO.admin, expect: 201 })).token;
  const tour = await api('GET', `/api/v1/tours/${TOUR_SLUG}`);
  const stop = await api('POST', `/api/v1/tours/${tour.id}/stops`, {
    token: adminToken,
    expect: 201,
    body: {
      city: `Mulhouse ${RUN}`,
      venue: 'Parc Expo',
      timezone: 'Europe/Paris',
      starts_at: '2027-11-18T09:00:00+01:00',
      ends_at: '2027-11-18T17:30:00+01:00',
      capacity: 50,
    },
  });
  stopId = stop.id;
  const workshop = await api('POST', `/api/v1/stops/${stopId}/workshops`, {
    token: adminToken,
    expect: 201,
    body: {
      title: 'Sécurité des postes',
      room: 'Salle A',
      trainer: 'Marc Schneider',
      starts_at: '2027-11-18T11:00:00+01:00',
      ends_at: '2027-11-18T12:30:00+01:00',
      capacity: 20,
    },
  });
  const detail = await api('GET', `/api/v1/stops/${stopId}`);
  entranceId = detail.checkpoints.find((c) => c.kind === 'entrance')?.id;
  assert.ok(entranceId, 'a stop has an entrance checkpoint');

  const attendees = {
    camera: ['Claire', 'Dupont', 'Dupont Informatique'],
    wedge: ['Hugo', 'Bernard', 'Bernard & Fils'],
    nojs: ['Inès', 'Lefèvre', 'Lefèvre Conseil'],
    offline1: ['Paul', 'Meyer', 'Meyer SARL'],
    offline2: ['Léa', 'Roth', 'Roth Systèmes'],
    reload: ['Nora', 'Klein', 'Klein Réseaux'],
    twice: ['Yves', 'Muller', 'Muller Bureautique'],
    newtab: ['Zoé', 'Keller', 'Keller Informatique'],
    search: ['Éloïse', 'Kléber', "Cœur d'Alsace"],
  };
  for (const [role, [first_name, last_name, company]] of Object.entries(attendees)) {
    const r = await api('POST', `/api/v1/stops/${stopId}/registrations`, {
      expect: 201,
      body: {
        first_name,
        last_name,
        company,
        email: `${role}.${RUN}@example.com`,
        consent: true,
        workshops: role === 'camera' ? [workshop.id] : [],
      },
    });
    assert.equal(r.status, 'confirmed');
    assert.equal(r.badge.token.length, 149);
    people[role] = { first_name, last_name, company, token: r.badge.token, qr: r.badge.qr_png_url };
  }
});

after(async () => {
  await browser?.close();
  assertNoCspViolations();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('camera: the phone camera reads the badge, green verdict, the server counts it', { timeout: 90_000 }, async () => {
  const p = people.camera;
  const before = await checkedInAtEntrance();
  const { context, page, errors } = await openScanner();
  try {
    // The camera "sees" this badge from now on (written before the scanner page starts it).
    writeY4M(CAM, await badgeFrame(page, new URL(p.qr).pathname));
    await page.goto(`${BASE}/scan/checkpoints/${entranceId}`);
    const t0 = Date.now();
    await page.locator('#start-camera').click();
    await verdict(page, 'ok').filter({ hasText: `Bienvenue ${nameOf(p)}` }).waitFor({ timeout: 10_000 });
    console.log(`  camera check-in took ${Date.now() - t0} ms`);
    assert.match(await page.locator('#verdict').getAttribute('class'), /\btone-ok\b/);
    await page.locator('#verdict:not(.full)').waitFor(); // the overlay goes, the verdict stays
    assert.equal(await page.locator('#camera').isVisible(), true);
    await screenshot(page, 'checkin-camera');
    // The badge stays in front of the camera: it is one scan, not an orange repeat every 3 s.
    await page.waitForTimeout(5000);
    assert.equal(await page.locator('#verdict').getAttribute('data-result'), 'ok');
    assert.equal(await checkedInAtEntrance(), before + 1);
    await page.locator('#count-in').filter({ hasText: String(before + 1) }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('keyboard wedge: green, then orange for the same badge, red for garbage; also without JavaScript', { timeout: 90_000 }, async () => {
  const p = people.wedge;
  const { context, page, errors } = await openScanner();
  try {
    await page.goto(`${BASE}/scan/checkpoints/${entranceId}`);
    await page.locator('body[data-scanner-ready="1"]').waitFor();
    // No click: the input has the focus, as a USB/Bluetooth scanner needs.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'code');
    await page.evaluate(() => {
      window.__samePage = true;
    });
    await wedge(page, p.token);
    await verdict(page, 'ok').filter({ hasText: `Bienvenue ${nameOf(p)}` }).waitFor({ timeout: 5_000 });
    assert.match(await page.locator('#verdict .v-detail').textContent(), new RegExp(p.company));
    await screenshot(page, 'checkin-green');

    await wedge(page, p.token);
    const orange = verdict(page, 'already_checked_in');
    await orange.waitFor({ timeout: 5_000 });
    assert.match(await orange.locator('.v-title').textContent(), /^Déjà enregistré·e à \d\d:\d\d$/);
    assert.match(await orange.getAttribute('class'), /\btone-warn\b/);
    await screenshot(page, 'checkin-orange');

    await wedge(page, 'NOT-A-BADGE-12345');
    await verdict(page, 'invalid_token').waitFor({ timeout: 5_000 });
    assert.match(await page.locator('#verdict').getAttribute('class'), /\btone-stop\b/);
    assert.equal(await page.evaluate(() => window.__samePage), true, 'no page load: the script decided');
    // The last scans list shows the check-in with an undo button; undo gives the seat back.
    const counted = await checkedInAtEntrance();
    const undo = page.locator('#recent li', { hasText: nameOf(p) }).getByRole('button', { name: 'Annuler ce passage' });
    await undo.click();
    await page.locator('#recent li.undone', { hasText: nameOf(p) }).waitFor({ timeout: 5_000 });
    assert.equal(await checkedInAtEntrance(), counted - 1);
    await wedge(page, p.token); // and the badge is welcome again
    await verdict(page, 'ok').filter({ hasText: `Bienvenue ${nameOf(p)}` }).waitFor({ timeout: 5_000 });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }

  // Without JavaScript the same form posts, and the server's page shows the verdict.
  const q = people.nojs;
  const nojs = await openScanner({ javaScriptEnabled: false });
  try {
    await nojs.page.goto(`${BASE}/scan/checkpoints/${entranceId}`);
    // `autofocus` applies once the browser has laid the page out, a moment after `load`.
    await nojs.page.waitForFunction(() => document.activeElement?.id === 'code', null, { timeout: 5_000 });
    assert.equal(await nojs.page.evaluate(() => document.activeElement.id), 'code');
    await wedge(nojs.page, q.token);
    await verdict(nojs.page, 'ok').filter({ hasText: `Bienvenue ${nameOf(q)}` }).waitFor({ timeout: 5_000 });
    await wedge(nojs.page, q.token);
    await verdict(nojs.page, 'already_checked_in').filter({ hasText: 'Déjà enregistré·e à' }).waitFor({ timeout: 5_000 });
  } finally {
    await nojs.context.close();
  }
});

test('offline: two badges decided on the phone, queued, synced when the network is back', { timeout: 90_000 }, async () => {
  const [a, b] = [people.offline1, people.offline2];
  const { context, page, errors } = await openScanner();
  try {
    await page.goto(`${BASE}/scan/checkpoints/${entranceId}`);
    await page.locator('body[data-scanner-ready="1"]').waitFor();
    const before = await checkedInAtEntrance();

    await context.setOffline(true);
    await wedge(page, a.token);
    await verdict(page, 'ok').filter({ hasText: `Bienvenue ${nameOf(a)}` }).waitFor({ timeout: 5_000 });
    await wedge(page, b.token);
    await verdict(page, 'ok').filter({ hasText: `Bienvenue ${nameOf(b)}` }).waitFor({ timeout: 5_000 });
    await page.locator('#net-status', { hasText: '2 scans en attente' }).waitFor({ timeout: 5_000 });
    assert.match(await page.locator('#net-status').textContent(), /hors ligne/);
    // The same badge again, still offline: this phone remembers it.
    await wedge(page, a.token);
    await verdict(page, 'already_checked_in').waitFor({ timeout: 5_000 });
    await page.locator('#net-status', { hasText: '3 scans en attente' }).waitFor({ timeout: 5_000 });
    await page.locator('#verdict:not(.full)').waitFor();
    await screenshot(page, 'checkin-offline-queue');
    assert.equal(await checkedInAtEntrance(), before, 'the server has not seen the offline scans yet');

    await context.setOffline(false);
    await page.waitForFunction(() => !/attente|waiting/.test(document.getElementById('net-status').textContent), null, {
      timeout: 15_000,
    });
    assert.equal(await checkedInAtEntrance(), before + 2);
    await page.locator('#count-in').filter({ hasText: String(before + 2) }).waitFor({ timeout: 5_000 });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a lost badge is found without accents, online from the index and offline on the phone', { timeout: 90_000 }, async () => {
  const p = people.search;
  const { context, page, errors } = await openScanner();
  try {
    await page.goto(`${BASE}/scan/checkpoints/${entranceId}`);
    await page.locator('body[data-scanner-ready="1"]').waitFor();
    // Online: the server's page, from the search index.
    await page.fill('#q', 'KLEBER eloi');
    await page.locator('form[role="search"] button').click();
    await page.locator('#found', { hasText: nameOf(p) }).waitFor({ timeout: 10_000 });
    assert.match(await page.locator('#found').textContent(), /Cœur d'Alsace/);
    await page.locator('body[data-scanner-ready="1"]').waitFor();

    // Offline: the same words find her in the data kept on the phone, folded the same way.
    await context.setOffline(true);
    await page.fill('#q', 'eloise coeur');
    await page.locator('form[role="search"] button').click();
    await page.locator('#found', { hasText: 'Hors ligne' }).waitFor({ timeout: 5_000 });
    assert.match(await page.locator('#found').textContent(), new RegExp(nameOf(p)));
    assert.equal(new URL(page.url()).searchParams.get('q'), 'KLEBER eloi', 'no page load offline');
    await page.fill('#q', 'personne ici');
    await page.locator('form[role="search"] button').click();
    await page.locator('#found', { hasText: 'Personne ne correspond.' }).waitFor({ timeout: 5_000 });
    await screenshot(page, 'checkin-offline-search');
    await context.setOffline(false);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('offline reload: the service worker serves the scanner page, the kept data still decides', { timeout: 90_000 }, async () => {
  const p = people.reload;
  const { context, page, errors } = await openScanner();
  try {
    await page.goto(`${BASE}/scan/checkpoints/${entranceId}`);
    await page.locator('body[data-scanner-ready="1"]').waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready);
    // Once the worker controls the page, a load keeps a copy of it.
    await page.reload();
    assert.equal(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), true);
    await page.locator('body[data-scanner-ready="1"]').waitFor();
    const before = await checkedInAtEntrance();

    await context.setOffline(true);
    await page.reload(); // from the worker's cache; the scanner data from IndexedDB
    await page.locator('body[data-scanner-ready="1"]').waitFor({ timeout: 5_000 });
    await wedge(page, p.token);
    await verdict(page, 'ok').filter({ hasText: `Bienvenue ${nameOf(p)}` }).waitFor({ timeout: 5_000 });
    await page.locator('#net-status', { hasText: '1 scans en attente' }).waitFor({ timeout: 5_000 });

    await context.setOffline(false);
    await page.waitForFunction(() => !/attente|waiting/.test(document.getElementById('net-status').textContent), null, {
      timeout: 15_000,
    });
    assert.equal(await checkedInAtEntrance(), before + 1);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('two phones offline let the same person in: the later one learns it at sync', { timeout: 90_000 }, async () => {
  const p = people.twice;
  const first = await openScanner();
  const second = await openScanner();
  try {
    for (const { page } of [first, second]) {
      await page.goto(`${BASE}/scan/checkpoints/${entranceId}`);
      await page.locator('body[data-scanner-ready="1"]').waitFor();
    }
    const before = await checkedInAtEntrance();
    for (const { context, page } of [first, second]) {
      await context.setOffline(true);
      await wedge(page, p.token);
      await verdict(page, 'ok').filter({ hasText: `Bienvenue ${nameOf(p)}` }).waitFor({ timeout: 5_000 });
    }
    // The phone that saw the badge first syncs first; the server keeps the earliest scan anyway.
    for (const { context, page } of [first, second]) {
      await context.setOffline(false);
      await page.waitForFunction(() => !/attente|waiting/.test(document.getElementById('net-status').textContent), null, {
        timeout: 15_000,
      });
    }
    await second.page.locator('#net-status', { hasText: '1 déjà enregistrés par un autre appareil' }).waitFor({ timeout: 5_000 });
    assert.doesNotMatch(await first.page.locator('#net-status').textContent(), /autre appareil/);
    assert.equal(await checkedInAtEntrance(), before + 1);
    assert.deepEqual([...first.errors, ...second.errors], []);
  } finally {
    await first.context.close();
    await second.context.close();
  }
});

test('offline in a new tab: a scanner opened once online reopens without network', { timeout: 90_000 }, async () => {
  const p = people.newtab;
  const { context, page, errors } = await openScanner();
  try {
    await page.goto(`${BASE}/scan/checkpoints/${entranceId}`);
    await page.locator('body[data-scanner-ready="1"]').waitFor();
    await page.evaluate(() => navigator.serviceWorker.ready);
    // No second online load: the first visit must be enough.
    await page.waitForFunction(async () => Boolean(await (await caches.open('roadshow-scanner-pages-v1')).match(location.href)));
    await context.setOffline(true);
    const tab = await context.newPage();
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto(`${BASE}/scan/checkpoints/${entranceId}`);
    await tab.locator('body[data-scanner-ready="1"]').waitFor({ timeout: 5_000 });
    await wedge(tab, p.token);
    await verdict(tab, 'ok').filter({ hasText: `Bienvenue ${nameOf(p)}` }).waitFor({ timeout: 5_000 });
    await tab.locator('#net-status', { hasText: '1 scans en attente' }).waitFor({ timeout: 5_000 });
    await context.setOffline(false);
    await tab.waitForFunction(() => !/attente|waiting/.test(document.getElementById('net-status').textContent), null, {
      timeout: 15_000,
    });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a room follows the clock: left on the earlier workshop, it lets in the one running now, online and offline', { timeout: 90_000 }, async () => {
  // A stop held now, its room "Salle 1" holding a workshop that ended and one running now.
  const at = (minutes) => new Date(Date.now() + minutes * 60000).toISOString().replace(/\.\d+Z$/, 'Z');
  const tour = await api('GET', `/api/v1/tours/${TOUR_SLUG}`);
  const stop = await api('POST', `/api/v1/tours/${tour.id}/stops`, {
    token: adminToken,
    expect: 201,
    body: { city: `Sélestat ${RUN}`, venue: 'Les Tanzmatten', timezone: 'Europe/Paris', starts_at: at(-180), ends_at: at(180), capacity: 50 },
  });
  const workshop = (title, from, to) => api('POST', `/api/v1/stops/${stop.id}/workshops`, {
    token: adminToken,
    expect: 201,
    body: { title, room: 'Salle 1', trainer: 'Nathalie Perrin', starts_at: at(from), ends_at: at(to), capacity: 20 },
  });
  const earlier = await workshop('Cloud hybride', -150, -90);
  const running = await workshop('Devenir Spécialiste PME', -5, 55);
  const register = async (first_name, workshops) => {
    const r = await api('POST', `/api/v1/stops/${stop.id}/registrations`, {
      expect: 201,
      body: { first_name, last_name: 'Wolff', company: 'Wolff Services', email: `${first_name}.room.${RUN}@example.com`, consent: true, workshops },
    });
    return r.badge.token;
  };
  const [remi, anna, theo] = [await register('Rémi', [running.id]), await register('Anna', [running.id]), await register('Théo', [])];
  const detail = await api('GET', `/api/v1/stops/${stop.id}`);
  const earlierRoom = detail.checkpoints.find((c) => c.workshop_id === earlier.id).id;

  const { context, page, errors } = await openScanner();
  try {
    // The list says which workshop the room holds now.
    await page.goto(`${BASE}/scan/stops/${stop.id}`);
    const now = page.locator('.checkpoint-list li.now');
    assert.equal(await now.count(), 1);
    assert.match(await now.innerText(), /Salle 1 — \d\d:\d\d Devenir Spécialiste PME/);
    await screenshot(page, 'checkin-rooms');

    // The phone was left on the earlier workshop of that room.
    await page.goto(`${BASE}/scan/checkpoints/${earlierRoom}`);
    await page.locator('body[data-scanner-ready="1"]').waitFor();
    await wedge(page, remi);
    await verdict(page, 'ok').filter({ hasText: 'Bienvenue Rémi Wolff' }).waitFor({ timeout: 5_000 });

    await context.setOffline(true);
    await wedge(page, anna);
    await verdict(page, 'ok').filter({ hasText: 'Bienvenue Anna Wolff' }).waitFor({ timeout: 5_000 });
    await wedge(page, theo);
    await verdict(page, 'not_enrolled').filter({ hasText: 'Devenir Spécialiste PME' }).waitFor({ timeout: 5_000 });
    await screenshot(page, 'checkin-room-not-enrolled');
    await context.setOffline(false);
    await page.waitForFunction(() => !/attente|waiting/.test(document.getElementById('net-status').textContent), null, {
      timeout: 15_000,
    });
    const status = await api('GET', `/api/v1/checkpoints/${detail.checkpoints.find((c) => c.workshop_id === running.id).id}/status`, { token: adminToken });
    assert.equal(status.checked_in, 2, 'both checked in at the workshop running now');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
