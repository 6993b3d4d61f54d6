// Browser tests drive Debian's Chromium through playwright-core against the real server (a child
// process on a temporary data dir) serving the real built UI. Nothing is mocked.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startServer, type ServerProcess } from '../../server/test/process.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = path.join(HERE, 'screenshots');
export const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-staple' };
export const USER_PASSWORD = 'a-long-enough-password';
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

export interface Env {
  server: ServerProcess;
  url: string;
  dir: string;
  browser: Browser;
  /** A fresh browser profile (no cookies) at the given size; closed by close(). */
  context: (viewport?: { width: number; height: number }) => Promise<BrowserContext>;
  close: () => Promise<void>;
}

export async function startEnv(env: Record<string, string> = {}): Promise<Env> {
  const dir = mkdtempSync(path.join(tmpdir(), 'coffer-e2e-'));
  const server = await startServer({
    SECRET_MANAGER_DATA_DIR: dir,
    SECRET_MANAGER_ADMIN_EMAIL: ADMIN.email,
    SECRET_MANAGER_ADMIN_PASSWORD: ADMIN.password,
    SECRET_MANAGER_SQLITE_SYNCHRONOUS: 'normal',
    ...env,
  });
  // launch() gives every run a new temporary profile (user-data-dir) of its own.
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
  const contexts: BrowserContext[] = [];
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    server, url: server.url, dir, browser,
    context: async (viewport = DESKTOP) => {
      const c = await browser.newContext({ viewport, baseURL: server.url, locale: 'en-GB', timezoneId: 'UTC' });
      await c.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      c.setDefaultTimeout(15_000);
      contexts.push(c);
      return c;
    },
    close: async () => {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/sign-in');
  // Someone may still be signed in (a test that failed half-way): sign them out first.
  const form = page.getByRole('heading', { name: 'Sign in to Coffer' });
  await form.or(page.getByRole('button', { name: 'Account' })).first().waitFor();
  if (!(await form.isVisible())) await signOut(page);
  await field(page, 'Email').fill(email);
  await field(page, 'Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'System Dashboard' }).waitFor();
}

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Account' }).click();
  await page.getByRole('menuitem', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in to Coffer' }).waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  // Pictures of the screen, not of passing toasts: close them as a user would.
  await page.locator('.mantine-Notifications-root button').evaluateAll((bs) => bs.forEach((b) => (b as HTMLElement).click()));
  // Let entry animations of dialogs and menus finish so the picture shows the settled screen.
  await page.waitForTimeout(350);
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: false });
}

/** Calls the API from inside the page, with its session cookie and CSRF token, as the UI would. */
export async function apiFromPage(page: Page, method: string, url: string, body?: unknown): Promise<{ status: number; body: any }> {
  return page.evaluate(async ({ method, url, body }) => {
    const s = await fetch('/api/v1/auth/session').then((r) => r.json());
    const r = await fetch(`/api/v1${url}`, {
      method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-csrf-token': s.csrf_token },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, { method, url, body });
}

/** Retries an assertion until it passes or the time is up (the page updates asynchronously). */
export async function eventually(check: () => Promise<void> | void, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Picks an option of a Mantine Select (a combobox: click, then the option). */
export async function choose(page: Page, label: string, option: string, within: Page | Locator = page): Promise<void> {
  await within.getByRole('combobox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** A text input, password input or textarea by its label (Mantine's required "*" is not part of the name). */
export const field = (within: Page | Locator, label: string) => within.getByRole('textbox', { name: label, exact: true });

/** Changes one audit entry behind the server's back, as an attacker with database access would. */
export function tamperAuditEntry(dir: string, seq: number): void {
  const db = new Database(path.join(dir, 'coffer.db'));
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare("UPDATE audit_log SET actor = 'mallory@example.com' WHERE seq = ?").run(seq);
  } finally {
    db.close();
  }
}

/** Calls the API from the test itself with an API key (setup the test is not about). */
export async function apiWithKey(url: string, key: string, method: string, p: string, body?: unknown): Promise<any> {
  const r = await fetch(`${url}/api/v1${p}`, {
    method, headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}
