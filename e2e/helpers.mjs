// Shared helpers for the browser tests (node:test + playwright-core + Debian's chromium).
//
// Environment:
//   BASE_URL  the running server, e.g. http://127.0.0.1:18080 (default http://127.0.0.1:8080)
//   CHROMIUM  browser executable (default /usr/bin/chromium, from apt; no browser download)
//   SHOT_DIR  if set, screenshot() saves PNGs there
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const BASE = (process.env.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');

// Demo users created by `roadshow serve --demo`.
export const DEMO = {
  admin: { email: 'admin@roadshow.example', password: 'demo-admin' },
  marketing: { email: 'marketing@roadshow.example', password: 'demo-marketing' },
  staff: { email: 'staff@roadshow.example', password: 'demo-staff' },
};

/**
 * Content-Security-Policy violations seen by any page of any context of launchBrowser():
 * Chromium's console errors ("Refused to …") and the DOM's securitypolicyviolation events.
 * Each test file checks the list is empty in its `after` hook (assertNoCspViolations).
 */
export const cspViolations = [];

/** Records the CSP violations of every page of `context` in cspViolations. */
export async function watchCsp(context) {
  context.on('console', (msg) => {
    const text = msg.text();
    if (msg.type() === 'error' && /Refused to|Content Security Policy/.test(text)) {
      cspViolations.push(`${msg.location()?.url || '?'}: ${text}`);
    }
  });
  // The event also names violations that Chromium reports without a console line.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Refused to load or run (CSP ${e.violatedDirective}): ${e.blockedURI || 'inline'} in ${e.sourceFile || document.location.pathname}:${e.lineNumber}`);
    });
  });
}

/** Fails when a page broke the Content-Security-Policy. */
export function assertNoCspViolations() {
  assert.deepEqual(cspViolations, [], `CSP violations:\n${cspViolations.join('\n')}`);
}

/** One headless Chromium per test file; use browser.newContext() per test (CSP watched). */
export async function launchBrowser(extraArgs = []) {
  const browser = await launchChromium(extraArgs);
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    await watchCsp(context);
    return context;
  };
  return browser;
}

function launchChromium(extraArgs) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false, // == --no-sandbox: CI runs as root
    args: [
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking', // the machine's network is closed: no background lookups
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** A fresh English context (pages are localised from Accept-Language). */
export function newContext(browser, options = {}) {
  return browser.newContext({ locale: 'en-US', ...options });
}

/** Log in through the login form; resolves once the browser has left /login. */
export async function login(page, email, password) {
  await page.goto(`${BASE}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await Promise.all([
    page.waitForURL((url) => !url.pathname.startsWith('/login')),
    page.getByRole('button', { name: 'Log in' }).click(),
  ]);
}

/** Save a full-page screenshot as $SHOT_DIR/<name>.png when SHOT_DIR is set; otherwise do nothing. */
export async function screenshot(page, name) {
  const dir = process.env.SHOT_DIR;
  if (!dir) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** JSON call to the API; asserts the status and returns the parsed body. */
export async function api(method, urlPath, { token, body, expect = 200 } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${BASE}${urlPath}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.equal(res.status, expect, `${method} ${urlPath} → ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : undefined;
}

/** A bearer token for a demo user. */
export async function tokenFor(user) {
  const { token } = await api('POST', '/api/v1/auth/tokens', { body: user, expect: 201 });
  assert.ok(token, `a bearer token for ${user.email}`);
  return token;
}

/** The page must not scroll sideways on the phone; on failure, names the widest elements. */
export async function assertNoHorizontalScroll(page, what) {
  const m = await page.evaluate(() => {
    const vw = window.innerWidth;
    const wide = [...document.querySelectorAll('body *')]
      .filter((el) => el.getBoundingClientRect().right > vw + 0.5)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className ? '.' + String(el.className).split(' ').join('.') : ''} (right=${Math.round(el.getBoundingClientRect().right)})`);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth: vw, wide };
  });
  assert.ok(
    m.scrollWidth <= m.innerWidth,
    `${what}: horizontal scroll on a ${m.innerWidth}px wide phone (scrollWidth ${m.scrollWidth}); too wide: ${m.wide.join(', ')}`,
  );
}
