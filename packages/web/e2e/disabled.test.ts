// SECRET_MANAGER_ENABLED=false hides Secret Manager; the rest keeps working. Also: keyboard-only
// use, a narrow window on the admin screens, and what the user sees when the server goes away.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { ADMIN, apiFromPage, PHONE, shot, signIn, startEnv, type Env } from './harness.js';

describe('Secret Manager disabled, keyboard use, lost server', { timeout: 120_000 }, () => {
  let env: Env;
  let page: Page;
  before(async () => {
    env = await startEnv({ SECRET_MANAGER_ENABLED: 'false' });
    page = await (await env.context()).newPage();
  });
  after(async () => env?.close());

  const focused = () => page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return el?.getAttribute('aria-label') || el?.textContent?.trim() || '';
  });
  const tabTo = async (name: string) => {
    for (let i = 0; i < 25; i++) {
      await page.keyboard.press('Tab');
      if ((await focused()) === name) return;
    }
    assert.fail(`Tab never reached ${name}`);
  };

  it('signs in, opens the account menu and the dashboard with the keyboard only', async () => {
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to Coffer' }).waitFor();
    // The email field has the focus on arrival.
    await page.keyboard.type(ADMIN.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'System Dashboard' }).waitFor();
    await tabTo('Account');
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Sign out' }).waitFor();
    await page.keyboard.press('ArrowDown');
    assert.equal(await focused(), 'System Dashboard');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'System Dashboard' }).waitFor();
    await tabTo('Roles and permissions');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Roles and permissions' }).waitFor();
    await tabTo('New role');
    await page.keyboard.press('Enter');
    await page.getByRole('dialog', { name: 'New role' }).waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });

  it('hides Secret Manager when the server has it turned off; roles and audit still work', async () => {
    await page.goto('/dashboard');
    await page.getByText('Secret Manager is turned off on this server').waitFor();
    assert.equal(await page.getByRole('link', { name: /Secret Manager/ }).count(), 0);
    await page.getByRole('main').getByRole('link', { name: /Roles and permissions/ }).waitFor();
    await page.getByRole('main').getByRole('link', { name: /Audit log/ }).waitFor();
    await shot(page, 'secret-manager-disabled');
    await page.goto('/dashboard/secret-manager');
    await page.getByText('It is turned off on this server (SECRET_MANAGER_ENABLED=false).').waitFor();
    const r = await apiFromPage(page, 'GET', '/secrets');
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'secret_manager_disabled');
    await page.goto('/dashboard/audit');
    await page.getByTestId('chain-check').getByText('Chain intact').waitFor();
  });

  it('fits a narrow window on the roles screen', async () => {
    const p = await (await env.context(PHONE)).newPage();
    await signIn(p, ADMIN.email, ADMIN.password);
    await p.goto('/dashboard/roles');
    await p.locator('tr[data-user]').first().waitFor();
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await shot(p, 'narrow-roles');
    await p.goto('/dashboard/audit');
    await p.locator('tr[data-action]').first().waitFor();
    await shot(p, 'narrow-audit');
  });

  it('says so in words when the server cannot be reached, and an unknown address is not a blank page', async () => {
    await page.goto('/dashboard/no-such-screen');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await page.goto('/dashboard');
    await page.getByRole('heading', { name: 'System Dashboard' }).waitFor();
    await env.server.stop();
    await page.getByRole('navigation').getByRole('link', { name: 'Roles and permissions' }).click();
    await page.getByRole('alert').filter({ hasText: 'Cannot reach the Coffer server' }).first().waitFor({ timeout: 20_000 });
    await shot(page, 'server-unreachable');
  });
});
