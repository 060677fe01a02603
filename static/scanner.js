// roadshow scanner: progressive enhancement of /scan/checkpoints/{id}.
//
// Without this file the page already works: the autofocused #code input is a form that posts the
// badge text (what a USB/Bluetooth "keyboard wedge" scanner types) and the server re-renders the
// page with the verdict. This script adds, on the same markup:
//   - a verdict without a page load (JSON API with a per-stop device token), beep/vibration;
//   - the phone camera (qr-scanner, vendored in /static/);
//   - offline decisions (signed badges are checked with the stop's public keys) and a queue in
//     IndexedDB that is synced when the network comes back (the server keeps the earliest scan);
//   - live counters and the list of last scans, with undo.
// Plain ES2020, no build step. Any failure here must leave the plain form usable.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const root = $('scanner');
  const form = $('scan-form');
  const input = $('code');
  let storage = null;
  try { storage = window.localStorage; } catch (_) { /* blocked by privacy settings */ }
  // Old or unusual browser: keep the no-JS form rather than half an app.
  if (!root || !form || !input || !window.fetch || !window.crypto || !storage) return;

  const { checkpointId: CHECKPOINT, stopId: STOP, kind: KIND, csrf: CSRF } = root.dataset;
  const LANG = root.dataset.lang === 'en' ? 'en' : 'fr';
  const [verdictBox, netStatus, countIn, countExpected, recentList] =
    ['verdict', 'net-status', 'count-in', 'count-expected', 'recent'].map($);
  if ([verdictBox, netStatus, countIn, countExpected, recentList].includes(null)) return;

  let TEXTS = {};
  try { TEXTS = JSON.parse(($('scanner-texts') || {}).textContent || '{}'); } catch (_) { /* keep {} */ }
  const t = (key) => TEXTS[key] || key;
  // Short result words for the "last scans" list (the texts JSON only has the long verdicts).
  const WORDS = {
    fr: { ok: 'entré·e', already_checked_in: 'déjà enregistré·e', invalid_token: 'badge non reconnu',
      unknown_registration: 'inscription introuvable', cancelled: 'annulée', waitlisted: "liste d'attente",
      wrong_stop: 'autre étape', not_enrolled: "pas inscrit·e à l'atelier" },
    en: { ok: 'in', already_checked_in: 'already in', invalid_token: 'not recognised',
      unknown_registration: 'not found', cancelled: 'cancelled', waitlisted: 'waiting list',
      wrong_stop: 'other stop', not_enrolled: 'not enrolled' },
  }[LANG];

  const uuid = () => (crypto.randomUUID ? crypto.randomUUID()
    // crypto.randomUUID only exists in secure contexts; scan ids just need to be unique.
    : ([1e7] + -1e3 + -4e3 + -8e3 + -1e11).replace(/[018]/g, (c) =>
      (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)));
  // Times are shown in the stop's zone, like the server's: its UTC offset comes with the scanner
  // data (generated_at); until then the phone's own zone (the same one, at the venue).
  let stopOffset = null;   // minutes east of UTC
  const clock = (d, seconds) => (stopOffset === null
    ? d.toTimeString().slice(0, seconds ? 8 : 5)
    : new Date(d.getTime() + stopOffset * 60000).toISOString().slice(11, seconds ? 19 : 16));
  const hhmm = (d) => clock(d, false);
  // The server sends times in the stop's zone ("…T09:14:05+02:00"): show them as they are.
  const timeOf = (iso) => { const m = /T(\d\d:\d\d)/.exec(iso || ''); return m ? m[1] : ''; };
  const online = () => navigator.onLine !== false;

  // ---- IndexedDB: the offline queue and the last scanner data survive a reload ----------------
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open('roadshow-scanner', 1);
        req.onupgradeneeded = () => {
          req.result.createObjectStore('queue', { keyPath: 'scan.scan_id' });
          req.result.createObjectStore('data', { keyPath: 'stop_id' });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbPromise;
  }
  async function idb(store, mode, fn) {
    const tx = (await db()).transaction(store, mode);
    const req = fn(tx.objectStore(store));
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve(req && req.result);
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  }
  const queueAll = async () => ((await idb('queue', 'readonly', (s) => s.getAll())) || [])
    .sort((a, b) => a.seq - b.seq);

  // ---- device token: one per stop, kept in localStorage until the server revokes it -----------
  const deviceKey = (stop) => `roadshow.scanner.device.${stop}`;
  const deviceOf = (stop) => { try { return JSON.parse(storage.getItem(deviceKey(stop))); } catch (_) { return null; } };
  let device = deviceOf(STOP);

  async function registerDevice() {
    const body = new URLSearchParams({ csrf_token: CSRF, name: `Scanner ${navigator.platform || ''} ${new Date().toISOString().slice(0, 16)}`.slice(0, 80) });
    const res = await fetch(`/scan/stops/${STOP}/device`, { method: 'POST', body, credentials: 'same-origin' });
    if (res.status !== 201) throw new Error(`device registration: HTTP ${res.status}`);
    const d = await res.json();
    device = { id: d.id, token: d.token };
    storage.setItem(deviceKey(STOP), JSON.stringify(device));
    return device;
  }

  /** An API call with this stop's device token; a 401 (revoked) re-registers once. */
  async function api(method, path, body, { timeout = 5000, stop = STOP } = {}) {
    for (let attempt = 0; attempt < 2; attempt++) {
      let dev = stop === STOP ? device : deviceOf(stop);
      if (!dev) {
        if (stop !== STOP) throw new Error('no device token for that stop');
        dev = await registerDevice();
      }
      // A venue's Wi-Fi can hang rather than fail: a scan must not wait for it.
      const ctrl = new AbortController();
      const timer = setTimeout(() => ctrl.abort(), timeout);
      try {
        const res = await fetch(path, {
          method, signal: ctrl.signal, credentials: 'omit',
          headers: { authorization: `Bearer ${dev.token}`, accept: 'application/json',
            ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        });
        if (res.status === 401 && stop === STOP && attempt === 0) {
          storage.removeItem(deviceKey(STOP));
          device = null;
          continue;
        }
        return res;
      } finally { clearTimeout(timer); }
    }
    throw new Error('unauthorised');
  }

  // ---- offline data: keys, attendees, who is already in ---------------------------------------
  let data = null;                 // the last GET scanner-data
  const keys = new Map();          // kid -> CryptoKey
  const attendees = new Map();     // registration id -> attendee
  const checkedIn = new Map();     // `${checkpoint}|${registration}` -> "HH:MM" or ''

  async function useData(d, queued) {
    const newKeys = new Map();
    for (const k of d.keys || []) {
      try {
        const raw = Uint8Array.from(atob(k.public_key), (c) => c.charCodeAt(0));
        newKeys.set(k.kid, await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']));
      } catch (_) { /* no Ed25519 in WebCrypto here: offline badges cannot be verified */ }
    }
    const times = new Map(checkedIn);
    data = d;
    const off = /([+-])(\d\d):(\d\d)$/.exec(d.generated_at || '');
    stopOffset = off ? (off[1] === '-' ? -1 : 1) * (off[2] * 60 + +off[3]) : /Z$/.test(d.generated_at || '') ? 0 : null;
    keys.clear(); newKeys.forEach((v, k) => keys.set(k, v));
    attendees.clear();
    for (const a of d.attendees || []) attendees.set(a.id, a);
    checkedIn.clear();
    for (const [cp, reg] of d.checked_in || []) checkedIn.set(`${cp}|${reg}`, times.get(`${cp}|${reg}`) || '');
    // Offline check-ins not synced yet are not in the server's list: keep them.
    for (const q of queued || []) if (q.local && q.local.result === 'ok' && q.reg) checkedIn.set(`${q.local.checkpoint || q.scan.checkpoint_id}|${q.reg}`, q.local.time);
  }

  async function loadData() {
    if (!online()) return;
    const res = await api('GET', `/api/v1/stops/${STOP}/scanner-data`, null, { timeout: 15000 });
    if (!res.ok) throw new Error(`scanner-data: HTTP ${res.status}`);
    const d = await res.json();
    await useData(d, await queueAll().catch(() => []));
    idb('data', 'readwrite', (s) => s.put(d)).catch(() => {});
    if (device && keys.size) document.body.dataset.scannerReady = '1';
  }

  // Base32 (RFC 4648, upper case, no padding), as strict as the server's decoder.
  function base32(text) {
    const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const out = new Uint8Array(Math.floor((text.length * 5) / 8));
    let bits = 0, value = 0, n = 0;
    for (const ch of text) {
      const v = A.indexOf(ch);
      if (v < 0) return null;
      value = ((value << 5) | v) & 0xffff; bits += 5;
      if (bits >= 8) { out[n++] = (value >> (bits - 8)) & 0xff; bits -= 8; }
    }
    if (value & ((1 << bits) - 1)) return null;   // non-zero trailing bits: not canonical
    return out;
  }
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const uuidOf = (b) => { const h = hex(b); return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`; };

  // A room's scanner follows the clock (as src/checkin/cache.rs): a workshop holds its room from
  // 15 minutes before it starts until it ends.
  const holds = (w, at) => Date.parse(w.starts_at) - 15 * 60000 <= at && at < Date.parse(w.ends_at);
  /** The checkpoint a scan at `named` made at `at` is for: the workshop its room holds then. */
  function heldAt(named, at) {
    const w = named.workshop;
    if (!w || !w.room || holds(w, at)) return named;
    return (data.checkpoints || []).find((c) => c.workshop && c.workshop.room === w.room && holds(c.workshop, at)) || named;
  }

  /** The workshop `a` is enrolled in at the time of `here` (another room), as the server says it. */
  function enrolledAt(a, here) {
    if (!here) return null;
    const overlaps = (w) => w && w.starts_at < here.ends_at && here.starts_at < w.ends_at;
    const theirs = (data.checkpoints || []).map((c) => c.workshop)
      .filter((w) => w && (a.workshops || []).includes(w.workshop_id));
    return theirs.find(overlaps) || null;
  }
  const quote = (text) => (LANG === 'en' ? `“${text}”` : `«\u00a0${text}\u00a0»`);

  /** The verdict without the server (same rules as src/checkin/service.rs); null if we cannot tell. */
  async function decideOffline(code) {
    if (!data || !keys.size) return null;
    const token = code.trim();
    const bytes = token.length === 149 ? base32(token) : null;
    if (!bytes || bytes.length !== 93 || bytes[0] !== 1) return { result: 'invalid_token' };
    const key = keys.get(hex(bytes.subarray(1, 5)));
    if (!key) return { result: 'invalid_token' };
    let valid = false;
    try { valid = await crypto.subtle.verify('Ed25519', key, bytes.subarray(29), bytes.subarray(0, 29)); } catch (_) { /* false */ }
    if (!valid) return { result: 'invalid_token' };
    if (hex(bytes.subarray(5, 13)) !== data.stop_prefix) return { result: 'wrong_stop' };
    const reg = uuidOf(bytes.subarray(13, 29));
    const a = attendees.get(reg);
    if (!a) return { result: 'unknown_registration', reg };
    const registration = { id: a.id, first_name: a.first_name, last_name: a.last_name, company: a.company };
    if (a.status === 'cancelled' || a.status === 'waitlisted') return { result: a.status, reg, registration };
    const named = (data.checkpoints || []).find((c) => c.id === CHECKPOINT);
    if (!named && KIND === 'workshop') return null;   // a room added after the data was loaded
    const cp = named && heldAt(named, Date.now());
    if (cp && cp.kind === 'workshop' && !(a.workshops || []).includes(cp.workshop_id)) {
      return { result: 'not_enrolled', reg, registration, workshop: cp.workshop, enrolled_instead: enrolledAt(a, cp.workshop) };
    }
    const seen = `${cp ? cp.id : CHECKPOINT}|${reg}`;
    if (checkedIn.has(seen)) return { result: 'already_checked_in', reg, registration, time: checkedIn.get(seen) };
    const time = hhmm(new Date());
    checkedIn.set(seen, time);
    return { result: 'ok', reg, registration, time, checkpoint: cp ? cp.id : CHECKPOINT };
  }

  // ---- showing a verdict -------------------------------------------------------------------------
  const TONE = { ok: 'ok', already_checked_in: 'warn', queued: 'warn' };
  const TITLE = { waitlisted: 'scan.waitlisted', cancelled: 'scan.cancelled', not_enrolled: 'scan.not_enrolled',
    wrong_stop: 'scan.wrong_stop', unknown_registration: 'scan.unknown_registration', invalid_token: 'scan.invalid_token' };
  let overlayTimer = 0;

  /** Shows a verdict; `where` holds what the server (or the offline data) says of a person turned
   * away: the room's workshop, the one they are enrolled in then, the stop their badge is for. */
  function show(result, registration, time, note, where) {
    const r = registration || {};
    const w = where || {};
    const name = [r.first_name, r.last_name].filter(Boolean).join(' ');
    const who = [name, r.company].filter(Boolean).join(' — ');
    let title, detail;
    if (result === 'ok') { title = `${t('scan.welcome')} ${name}`; detail = r.company || ''; }
    // Offline, a check-in loaded with the data may have no time: say so without a dangling "at".
    else if (result === 'already_checked_in') { title = time ? `${t('scan.already')} ${time}` : t('scan.already_in'); detail = who; }
    else if (result === 'not_enrolled') {
      title = w.workshop ? `${t('scan.not_enrolled_in')} ${quote(w.workshop.title)}` : t('scan.not_enrolled');
      const instead = w.enrolled_instead
        ? `${t('scan.enrolled_instead')} ${timeOf(w.enrolled_instead.starts_at)} ${quote(w.enrolled_instead.title)} (${w.enrolled_instead.room})`
        : (w.workshop ? t('scan.no_workshop_then') : '');
      detail = [who, instead].filter(Boolean).join(' · ');
    }
    else if (result === 'wrong_stop' && w.badge_stop) { title = `${t('scan.wrong_stop_of')} ${w.badge_stop.city}`; detail = name; }
    else if (TITLE[result]) { title = t(TITLE[result]); detail = result === 'wrong_stop' ? name : who; }
    else if (result === 'queued') { title = `${t('scan.offline')} — ${t('scan.waiting')}`; detail = ''; }
    else { title = result; detail = ''; }
    if (note) detail = detail ? `${detail} · ${note}` : note;
    const tone = TONE[result] || 'stop';
    verdictBox.className = `verdict tone-${tone} full`;
    verdictBox.dataset.result = result;
    const p1 = document.createElement('p'); p1.className = 'v-title'; p1.textContent = title;
    const p2 = document.createElement('p'); p2.className = 'v-detail'; p2.textContent = detail;
    verdictBox.replaceChildren(p1, p2);
    // Full screen long enough to be seen from arm's length, then back to the page.
    clearTimeout(overlayTimer);
    overlayTimer = setTimeout(() => verdictBox.classList.remove('full'), 1500);
    feedback(tone);
  }
  verdictBox.addEventListener('click', () => verdictBox.classList.remove('full'));

  // Browsers only let sound start after a gesture: make the AudioContext at the first one, so that
  // camera scans (no gesture) can beep too.
  let audio = null;
  const unlockAudio = () => {
    try { audio = audio || new (window.AudioContext || window.webkitAudioContext)(); audio.resume(); } catch (_) { /* mute */ }
  };
  document.addEventListener('pointerdown', unlockAudio, { once: true });
  document.addEventListener('keydown', unlockAudio, { once: true });
  function feedback(tone) {
    try {
      if (navigator.vibrate) navigator.vibrate(tone === 'ok' ? 80 : [120, 80, 120]);
      if (!audio) unlockAudio();
      const beeps = tone === 'ok' ? [[880, 0]] : tone === 'warn' ? [[660, 0], [660, 0.18]] : [[220, 0]];
      for (const [freq, at] of beeps) {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = freq; gain.gain.value = 0.15;
        osc.connect(gain).connect(audio.destination);
        const start = audio.currentTime + at;
        osc.start(start); osc.stop(start + (tone === 'stop' ? 0.45 : 0.12));
      }
    } catch (_) { /* no sound is not an error */ }
  }

  // ---- the one scan path (keyboard wedge, typed code, camera) -------------------------------------
  let latest = 0;

  async function scan(code) {
    const mine = ++latest;
    const scanRequest = { token: code, checkpoint_id: CHECKPOINT, scan_id: uuid(),
      device_id: device ? device.id : null, scanned_at: new Date().toISOString() };
    if (online()) {
      try {
        const res = await api('POST', '/api/v1/checkins', scanRequest);
        if (res.ok) {
          const a = await res.json();
          if (a.registration && (a.result === 'ok' || a.result === 'already_checked_in')) {
            const k = `${a.checkpoint_id || CHECKPOINT}|${a.registration.id}`;
            checkedIn.set(k, a.result === 'ok' ? hhmm(new Date()) : timeOf(a.first_scanned_at) || checkedIn.get(k) || '');
          }
          if (mine === latest) show(a.result, a.registration, timeOf(a.first_scanned_at), '', a);
          refreshStatus();
          return;
        }
        if (res.status < 500) {      // refused (bad request, forbidden…): say so, do not queue
          if (mine === latest) show(`HTTP ${res.status}`, null, '', '');
          return;
        }
      } catch (e) {
        if (!device) {               // no device token (session expired?): the plain form decides
          input.value = code;
          HTMLFormElement.prototype.submit.call(form);
          return;
        }
      }
    }
    // Offline, or the server did not answer: decide here and queue the scan for the server.
    const local = await decideOffline(code);
    await idb('queue', 'readwrite', (s) => s.put({ scan: scanRequest, stop_id: STOP,
      seq: Date.now() + (latest % 1000) / 1000, reg: local && local.reg, local })).catch(() => {});
    if (mine === latest) {
      // No data to decide with (never loaded, or no Ed25519 here): the server will decide.
      if (local) show(local.result, local.registration, local.time, t('scan.offline'), local);
      else show('queued');
    }
    if (local && local.result === 'ok') countIn.textContent = String((parseInt(countIn.textContent, 10) || 0) + 1);
    addRecent(clock(new Date(), true), local && local.registration, local ? local.result : '', true);
    updateNet();
  }

  // ---- finding someone, offline too ----------------------------------------------------------------
  // Folds as src/registrations/search.rs (`fold`) does: lower case, accents off, œ æ ß spelt out,
  // ø ł đ made plain, anything but letters and digits a space. Every typed word must start a word
  // of the name or company (the offline data has no e-mails); exact last names first.
  const fold = (s) => String(s || '').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')
    .replace(/œ/g, 'oe').replace(/æ/g, 'ae').replace(/ß/g, 'ss')
    .replace(/ø/g, 'o').replace(/ł/g, 'l').replace(/đ/g, 'd')
    .replace(/[^\p{L}\p{N}]+/gu, ' ');
  const wordsOf = (s) => fold(s).split(' ').filter(Boolean);
  function findOffline(q) {
    const terms = [...new Set(wordsOf(q))].slice(0, 6);
    if ([...q.trim()].length < 2 || !terms.length) return [];
    const found = [];
    for (const a of attendees.values()) {
      const last = wordsOf(a.last_name);
      const words = last.concat(wordsOf(a.first_name), wordsOf(a.company));
      if (terms.every((term) => words.some((w) => w.startsWith(term)))) {
        found.push({ a, rank: terms.some((term) => last.includes(term)) ? 0 : 1 });
      }
    }
    const by = (x, y) => x.rank - y.rank || x.a.last_name.localeCompare(y.a.last_name) || x.a.first_name.localeCompare(y.a.first_name);
    return found.sort(by).slice(0, 20).map((f) => f.a);
  }
  const searchForm = document.querySelector('form[role="search"]');
  if (searchForm) {
    searchForm.addEventListener('submit', (ev) => {
      if (online() || !data) return;     // online: the server's page answers, with badges
      ev.preventDefault();
      const q = (searchForm.elements.q || {}).value || '';
      const entrance = (data.checkpoints || []).find((c) => c.kind === 'entrance');
      const list = document.createElement('ul');
      list.id = 'found'; list.className = 'cards';
      const note = document.createElement('li'); note.textContent = t('scan.found_offline');
      list.append(note);
      const found = findOffline(q);
      for (const a of found) {
        const li = document.createElement('li');
        const name = document.createElement('strong');
        name.textContent = `${a.first_name} ${a.last_name}`;
        const inAt = entrance && checkedIn.get(`${entrance.id}|${a.id}`);
        const small = document.createElement('small');
        small.textContent = `(${t(`status.${a.status}`)}${inAt !== undefined ? `, ${inAt ? `${t('scan.already')} ${inAt}` : t('scan.already_in')}` : ''})`;
        li.append(name, ` — ${a.company} `, small);
        list.append(li);
      }
      if (!found.length) { const li = document.createElement('li'); li.textContent = t('scan.nobody'); list.append(li); }
      const old = $('found');
      if (old) old.replaceWith(list); else searchForm.after(list);
      list.scrollIntoView({ block: 'nearest' });
    });
  }

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const code = input.value;
    // Ready for the next badge at once: a wedge scanner may already be typing it.
    input.value = '';
    input.focus();
    if (code.trim()) scan(code).catch(() => {});
  });

  // ---- counters and last scans ---------------------------------------------------------------------
  function addRecent(time, registration, result, pending, scanId, undone) {
    const li = document.createElement('li');
    if (undone) li.className = 'undone';
    const s = document.createElement('span'); s.className = 't'; s.textContent = time;
    const b = document.createElement('strong');
    b.textContent = registration ? (registration.name || `${registration.first_name} ${registration.last_name}`) : '—';
    li.append(s, ' ', b, ` — ${WORDS[result] || result}${pending ? ` (${t('scan.offline')})` : ''}`);
    if (result === 'ok' && !undone && scanId) {
      const undo = document.createElement('button');
      undo.type = 'button'; undo.className = 'link'; undo.textContent = t('scan.undo');
      undo.style.color = 'inherit';   // app.css gives button.link the top bar's white text
      undo.addEventListener('click', async () => {
        undo.disabled = true;
        try { await api('POST', `/api/v1/scans/${encodeURIComponent(scanId)}/undo`); } catch (_) { /* shown by refresh */ }
        await refreshStatus();
        loadData().catch(() => {});   // the badge may be scanned again: forget it locally
        input.focus();
      });
      li.append(' ', undo);
    }
    if (pending) recentList.prepend(li); else recentList.append(li);
  }

  let statusBusy = false, statusAgain = false;
  async function refreshStatus() {
    if (!online() || !device) return;
    // One request at a time; a call made meanwhile (e.g. right after a sync) runs once more after
    // it, so that the counter never stays on an answer older than the last change.
    if (statusBusy) { statusAgain = true; return; }
    statusBusy = true;
    try {
      const queued = (await queueAll().catch(() => [])).filter((q) => q.scan.checkpoint_id === CHECKPOINT);
      const res = await api('GET', `/api/v1/checkpoints/${CHECKPOINT}/status`);
      if (!res.ok) return;
      const s = await res.json();
      countIn.textContent = String(s.checked_in + queued.filter((q) => q.local && q.local.result === 'ok').length);
      countExpected.textContent = String(s.expected);
      recentList.replaceChildren();
      for (const q of queued) addRecent(clock(new Date(q.scan.scanned_at), true), q.local && q.local.registration, q.local ? q.local.result : '', true);
      for (const r of s.recent || []) addRecent((/T(\d\d:\d\d:\d\d)/.exec(r.scanned_at) || [])[1] || '', r.name ? { name: r.name } : null, r.result, false, r.scan_id, r.undone);
    } catch (_) { /* offline: keep what is shown */ } finally {
      statusBusy = false;
      if (statusAgain) { statusAgain = false; refreshStatus(); }
    }
  }

  // ---- offline queue and sync --------------------------------------------------------------------
  let netNote = '';        // a message that outlives the next update (duplicates found)
  let noteTimer = 0;
  async function updateNet() {
    const n = (await queueAll().catch(() => [])).length;
    const parts = [];
    if (!online()) parts.push(t('scan.offline'));
    if (n) parts.push(`${n} ${t('scan.waiting')}`);
    if (netNote) parts.push(netNote);
    netStatus.textContent = parts.join(' — ');
  }

  let syncing = false;
  async function sync() {
    if (syncing || !online()) return;
    syncing = true;
    try {
      const all = await queueAll();
      if (!all.length) return;
      let duplicates = 0, sent = 0;
      // Scans made at another stop (the phone moved on) go with that stop's device token.
      for (const stop of new Set(all.map((q) => q.stop_id))) {
        const batch = all.filter((q) => q.stop_id === stop).slice(0, 200);   // oldest first
        const res = await api('POST', '/api/v1/checkins/batch', { scans: batch.map((q) => q.scan) }, { timeout: 20000, stop })
          .catch(() => null);
        if (!res || !res.ok) continue;   // try again at the next tick
        const { results } = await res.json();
        await idb('queue', 'readwrite', (s) => results.forEach((r, i) => batch[i] && s.delete(batch[i].scan.scan_id)));
        results.forEach((r, i) => {
          // The earliest scan wins on the server: our offline "ok" may have been someone else's.
          if (batch[i] && batch[i].local && batch[i].local.result === 'ok' && r.result === 'already_checked_in') duplicates++;
        });
        sent += results.length;
      }
      if (sent) {
        netNote = duplicates ? `${t('scan.synced')} — ${duplicates} ${t('scan.duplicates')}` : t('scan.synced');
        clearTimeout(noteTimer);
        noteTimer = setTimeout(() => { netNote = ''; updateNet(); }, duplicates ? 60000 : 5000);
        await refreshStatus();
        loadData().catch(() => {});
      }
    } catch (_) { /* network still down: the next tick retries */ } finally {
      syncing = false;
      updateNet();
    }
  }

  // ---- camera ------------------------------------------------------------------------------------
  const camButton = $('start-camera');
  const video = $('camera');
  if (camButton && video && window.QrScanner && navigator.mediaDevices) {
    let lastCode = '', lastAt = 0, qr = null;
    camButton.hidden = false;
    camButton.addEventListener('click', async () => {
      try {
        // Shown before QrScanner sees it: a hidden <video> makes it shrink the video to 0×0.
        video.hidden = false;
        qr = qr || new window.QrScanner(video, (res) => {
          const code = typeof res === 'string' ? res : res.data;
          const now = Date.now();
          // A badge held in front of the camera is decoded ten times a second: it is one scan
          // until it has been out of view for a moment (then it is shown again on purpose).
          const heldInView = code === lastCode && now - lastAt < 2500;
          lastCode = code; lastAt = now;
          if (!heldInView) scan(code).catch(() => {});
        }, { returnDetailedScanResult: true, preferredCamera: 'environment', maxScansPerSecond: 10 });
        await qr.start();
        camButton.hidden = true;
        camButton.style.display = 'none';   // app.css's `button {display:inline-block}` beats [hidden]
        document.body.dataset.camera = 'on';
      } catch (e) {
        video.hidden = true;
        netStatus.textContent = `${t('scan.camera_error')} (${e && e.name ? e.name : e})`;
      }
      input.focus();
    });
  }

  // ---- start -------------------------------------------------------------------------------------
  async function start() {
    // The last data kept, so that a reload while offline can still decide.
    try {
      const kept = await idb('data', 'readonly', (s) => s.get(STOP));
      if (kept && !data) await useData(kept, await queueAll());
    } catch (_) { /* no IndexedDB (private mode): online only */ }
    if (online()) {
      try { if (!device) await registerDevice(); } catch (_) { /* retried on the first scan */ }
      await loadData().catch(() => {});
      refreshStatus();
    }
    if (device && keys.size) document.body.dataset.scannerReady = '1';
    updateNet();
    sync();
  }

  window.addEventListener('online', () => { updateNet(); sync(); refreshStatus(); });
  window.addEventListener('offline', () => updateNet());
  setInterval(() => { queueAll().then((q) => { if (q.length) sync(); }).catch(() => {}); }, 5000);
  setInterval(refreshStatus, 10000);
  setInterval(() => { loadData().catch(() => {}); }, 60000);

  if ('serviceWorker' in navigator && window.isSecureContext) {
    navigator.serviceWorker.register('/scan/sw.js', { scope: '/scan/' }).catch(() => {});
    // The first visit is not the worker's (it starts afterwards), so it would keep this page only
    // from the next load on: keep it now, so that a tab opened offline later still gets it.
    // (The name is the worker's PAGES_CACHE.)
    if (window.caches && online()) {
      const here = new Request(location.href, { credentials: 'same-origin' });
      Promise.all([caches.open('roadshow-scanner-pages-v1'), fetch(here)])
        .then(([cache, res]) => (res.ok && !res.redirected ? cache.put(here, res) : null))
        .catch(() => {});
    }
  }
  start().catch(() => {});
})();
