// Roles and permissions, the User Permissions table, what each kind of user sees, and the audit log.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, apiFromPage, apiWithKey, field, SCREENSHOTS, shot, signIn, signOut, startEnv, tamperAuditEntry, USER_PASSWORD, type Env } from './harness.js';

const KEY = 'e2e-access-key-0123456789abcdef0123456789ab';
const ALICE = 'alice@example.com'; // will get "Secret Manager User" (Manage + Read secrets)
const BOB = 'bob@example.com'; // will get "Secret Reader" (Read secrets only)
const CAROL = 'carol@example.com'; // keeps "viewer": no secret permission at all

describe('Roles, permissions and what each user sees', { timeout: 240_000 }, () => {
  let env: Env;
  let ctx: BrowserContext;
  let page: Page;
  const dialog = () => page.getByRole('dialog');
  const roleRow = (name: string) => page.locator(`tr[data-role="${name}"]`);
  const userRow = (email: string) => page.locator(`tr[data-user="${email}"]`);
  const api = (method: string, p: string, body?: unknown) => apiWithKey(env.url, KEY, method, p, body);

  /** Adds a role in a user's roles selector (a searchable multi-select) and waits for the save. */
  const addRole = async (email: string, role: string) => {
    await userRow(email).getByRole('combobox', { name: `Roles of ${email}` }).click();
    await page.getByRole('option', { name: role, exact: true }).click();
    await page.getByText(`${email}: `, { exact: false }).first().waitFor();
    await page.keyboard.press('Escape');
  };

  before(async () => {
    env = await startEnv({ SECRET_MANAGER_ADMIN_API_KEY: KEY });
    for (const email of [ALICE, BOB, CAROL]) await api('POST', '/users', { email, password: USER_PASSWORD, roles: ['viewer'] });
    await api('POST', '/secrets', { secret_id: 'shared-s3', secret_type: 's3', scope: 'SYSTEM_SECRET', description: 'Shared bucket', secret_value: { access_key_id: 'AKIASHARED0001', secret_access_key: 'shared-secret-access-key', region: 'eu-west-1' } });
    ctx = await env.context();
    page = await ctx.newPage();
  });
  afterEach(async (t) => {
    if (page && !page.isClosed()) await page.screenshot({ path: `${SCREENSHOTS}/last-${t.name.slice(0, 40).replace(/\W+/g, '-')}.png` }).catch(() => undefined);
  });
  after(async () => env?.close());

  it('creates a role with Manage secrets and Read secrets from the searchable permission picker', async () => {
    await signIn(page, ADMIN.email, ADMIN.password);
    await page.getByRole('navigation').getByRole('link', { name: 'Roles and permissions' }).click();
    await page.getByRole('heading', { name: 'Roles and permissions' }).waitFor();
    await roleRow('admin').waitFor();
    await page.getByRole('button', { name: 'New role' }).click();
    await field(dialog(), 'Role name').fill('Secret Manager User');
    await field(dialog(), 'Description').fill('Creates and reads connector credentials');
    const picker = dialog().getByRole('combobox', { name: 'Permissions' });
    await picker.fill('secrets');
    // The search narrows the list to the two secret permissions.
    await page.getByRole('option', { name: 'Manage secrets' }).waitFor();
    assert.deepEqual((await page.getByRole('option').allTextContents()).sort(), ['Manage secrets', 'Read secrets']);
    await page.getByRole('option', { name: 'Manage secrets' }).click();
    await picker.fill('read sec');
    await page.getByRole('option', { name: 'Read secrets' }).click();
    await page.keyboard.press('Escape');
    await shot(page, 'new-role');
    await dialog().getByRole('button', { name: 'Create' }).click();
    await roleRow('Secret Manager User').waitFor();
    assert.match(await roleRow('Secret Manager User').innerText(), /Manage secrets[\s\S]*Read secrets|Read secrets[\s\S]*Manage secrets/);
    const created = (await api('GET', '/roles') as { name: string; permissions: string[] }[]).find((r) => r.name === 'Secret Manager User');
    assert.deepEqual(created?.permissions.sort(), ['secrets/manage', 'secrets/read']);

    await page.getByRole('button', { name: 'New role' }).click();
    await field(dialog(), 'Role name').fill('Secret Reader');
    await dialog().getByRole('combobox', { name: 'Permissions' }).fill('Read secrets');
    await page.getByRole('option', { name: 'Read secrets' }).click();
    await page.keyboard.press('Escape');
    await dialog().getByRole('button', { name: 'Create' }).click();
    await roleRow('Secret Reader').waitFor();

    // A taken name is refused in words.
    await page.getByRole('button', { name: 'New role' }).click();
    await field(dialog(), 'Role name').fill('Secret Reader');
    await dialog().getByRole('button', { name: 'Create' }).click();
    await dialog().getByText('A role with this name exists').waitFor();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await roleRow('admin').getByRole('button', { name: /Edit role|Delete role/ }).count(), 0, 'built-in roles cannot be edited');
  });

  it('assigns the roles in the User Permissions table, and creates a user', async () => {
    await addRole(ALICE, 'Secret Manager User');
    await addRole(BOB, 'Secret Reader');
    const users = await api('GET', '/users') as { email: string; roles: string[] }[];
    assert.deepEqual(users.find((u) => u.email === ALICE)?.roles.sort(), ['Secret Manager User', 'viewer']);
    assert.deepEqual(users.find((u) => u.email === BOB)?.roles.sort(), ['Secret Reader', 'viewer']);
    await page.getByRole('button', { name: 'New user' }).click();
    await field(dialog(), 'Email').fill('dave@example.com');
    await field(dialog(), 'First password').fill('short');
    await dialog().getByRole('button', { name: 'Create user' }).click();
    await dialog().getByText(/at least 12 characters/).last().waitFor();
    await field(dialog(), 'First password').fill(USER_PASSWORD);
    await dialog().getByRole('button', { name: 'Create user' }).click();
    await userRow('dave@example.com').waitFor();
    await shot(page, 'roles-and-permissions');
    await signOut(page);
  });

  it('a user with Manage and Read secrets sees Secret Manager with every action', async () => {
    await signIn(page, ALICE, USER_PASSWORD);
    await page.getByRole('main').getByRole('link', { name: /Secret Manager/ }).click();
    await page.locator('tr[data-secret="shared-s3"]').waitFor();
    await page.getByRole('button', { name: 'New Secret' }).waitFor();
    await page.getByRole('button', { name: 'Actions for shared-s3' }).click();
    for (const item of ['Reveal', 'Edit', 'Versions', 'Delete']) await page.getByRole('menuitem', { name: item }).waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Roles and permissions' }).count(), 0);
    const made = await apiFromPage(page, 'POST', '/secrets', { secret_id: 'alice-wiki', secret_type: 'confluence', secret_value: { username: 'alice', password: 'alice-wiki-token' } });
    assert.equal(made.status, 201);
    await signOut(page);
  });

  it('a user with Read secrets only can list and reveal, sees no manage action, and the API refuses changes', async () => {
    await signIn(page, BOB, USER_PASSWORD);
    await page.getByRole('main').getByRole('link', { name: /Secret Manager/ }).click();
    await page.locator('tr[data-secret="shared-s3"]').waitFor();
    // alice-wiki is Alice's own user secret: Bob does not see it.
    assert.equal(await page.locator('tr[data-secret="alice-wiki"]').count(), 0);
    assert.equal(await page.getByRole('button', { name: 'New Secret' }).count(), 0);
    await page.getByRole('button', { name: 'Actions for shared-s3' }).click();
    await page.getByRole('menuitem', { name: 'Reveal' }).waitFor();
    assert.deepEqual(await page.getByRole('menuitem').allTextContents(), ['Reveal', 'Versions']);
    await shot(page, 'read-only-user');
    await page.getByRole('menuitem', { name: 'Reveal' }).click();
    assert.equal(JSON.parse((await dialog().getByTestId('reveal-json').textContent())!).access_key_id, 'AKIASHARED0001');
    await page.keyboard.press('Escape');
    const create = await apiFromPage(page, 'POST', '/secrets', { secret_id: 'bob-s3', secret_type: 's3', secret_value: { access_key_id: 'AKIABOB', secret_access_key: 'x', region: 'us-east-1' } });
    assert.equal(create.status, 403);
    assert.equal(create.body.error.code, 'permission_denied');
    const del = await apiFromPage(page, 'DELETE', '/secrets/shared-s3');
    assert.equal(del.status, 403);
    const patch = await apiFromPage(page, 'PATCH', '/secrets/shared-s3', { description: 'hijacked' });
    assert.equal(patch.status, 403);
    // Screens the user may not use say so instead of showing nothing.
    await page.goto('/dashboard/roles');
    await page.getByText('Roles and permissions is not available').waitFor();
    await page.goto('/dashboard/audit');
    await page.getByText('Audit log is not available').waitFor();
    await signOut(page);
  });

  it('a user without secret permissions does not see Secret Manager at all', async () => {
    await signIn(page, CAROL, USER_PASSWORD);
    await page.getByText('Your account has no dashboard permissions yet.').waitFor();
    assert.equal(await page.getByRole('link', { name: /Secret Manager/ }).count(), 0);
    await shot(page, 'no-permissions');
    await page.goto('/dashboard/secret-manager');
    await page.getByText('Your roles do not include the Read secrets permission.').waitFor();
    const list = await apiFromPage(page, 'GET', '/secrets');
    assert.equal(list.status, 403);
    await signOut(page);
  });

  it('edits and deletes a custom role; a role change reaches a signed-in user on the next screen', async () => {
    const bobCtx = await env.context();
    const bobPage = await bobCtx.newPage();
    await signIn(bobPage, BOB, USER_PASSWORD);
    await bobPage.getByRole('main').getByRole('link', { name: /Secret Manager/ }).waitFor();

    await signIn(page, ADMIN.email, ADMIN.password);
    await page.goto('/dashboard/roles');
    await page.getByRole('button', { name: 'Edit role Secret Reader' }).click();
    await field(dialog(), 'Description').fill('Reads connector credentials');
    await dialog().getByRole('button', { name: 'Save' }).click();
    await roleRow('Secret Reader').getByText('Reads connector credentials').waitFor();
    await page.getByRole('button', { name: 'Delete role Secret Reader' }).click();
    await dialog().getByText('Users who have this role lose the permissions it gives them').waitFor();
    await dialog().getByRole('button', { name: 'Delete' }).click();
    await roleRow('Secret Reader').waitFor({ state: 'detached' });
    assert.deepEqual((await api('GET', '/users') as { email: string; roles: string[] }[]).find((u) => u.email === BOB)?.roles, ['viewer']);

    // Bob's open page learns of it on his next screen: Secret Manager says why it is closed, and
    // its entry leaves the navigation.
    await bobPage.getByRole('main').getByRole('link', { name: /Secret Manager/ }).click();
    await bobPage.getByText('Your roles do not include the Read secrets permission.').waitFor();
    await bobPage.getByRole('navigation').getByRole('link', { name: 'Secret Manager' }).waitFor({ state: 'detached' });
  });

  it('shows the audit log with filters and the result of the chain check, which notices tampering', async () => {
    await page.goto('/dashboard/audit');
    const check = page.getByTestId('chain-check');
    await check.getByText('Chain intact').waitFor();
    assert.match(await check.innerText(), /All \d+ entries check out/);
    await page.locator('tr[data-action]').first().waitFor();
    await field(page, 'Action').fill('auth.login');
    await page.getByRole('cell', { name: BOB, exact: true }).first().waitFor();
    await shot(page, 'audit-log');
    assert.deepEqual([...new Set(await page.locator('tr[data-action]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-action'))))], ['auth.login']);
    await field(page, 'Actor').fill(BOB);
    await page.getByRole('cell', { name: ALICE, exact: true }).first().waitFor({ state: 'detached' });
    assert.ok(await page.locator('tr[data-action]').count() >= 2, 'Bob signed in twice');
    await field(page, 'Action').fill('secret.read_value');
    await page.getByRole('cell', { name: 'secret:shared-s3' }).first().waitFor();
    await field(page, 'Action').fill('no.such.action');
    await page.getByText('No entry matches these filters.').waitFor();

    tamperAuditEntry(env.dir, 3);
    await page.getByRole('button', { name: 'Check again' }).click();
    await check.getByText('Chain broken').waitFor();
    assert.match(await check.innerText(), /Entry #3 does not match the chain/);
    await shot(page, 'audit-chain-broken');
  });

  it('a session that ends elsewhere sends the page to sign-in with a message', async () => {
    const other = await ctx.newPage();
    await other.goto('/dashboard');
    await signOut(other);
    await page.getByRole('navigation').getByRole('link', { name: 'Roles and permissions' }).click();
    await page.getByText('Your session has ended. Sign in again to continue.').waitFor();
    await page.getByRole('heading', { name: 'Sign in to Coffer' }).waitFor();
  });

  it('never writes a secret value to the server output', () => {
    for (const v of ['shared-secret-access-key', 'alice-wiki-token']) assert.ok(!env.server.output().includes(v), '!env.server.output().includes(v)');
  });
});
