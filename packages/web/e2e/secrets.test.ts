// The seed's Secret Manager flows, end to end in Chromium against the real server and UI.
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, apiWithKey, choose, eventually, field, PHONE, SCREENSHOTS, shot, signIn, startEnv, type Env } from './harness.js';

const ADMIN_KEY = 'e2e-operator-key-0123456789abcdef0123456789';

const GCS_KEY_FILE = JSON.stringify({
  type: 'service_account', project_id: 'analytics-prod', client_email: 'loader@analytics-prod.iam.gserviceaccount.com',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n',
});

interface Case {
  type: string;
  label: string;
  name: string;
  fields: Record<string, string>;
  /** Field labels whose values must be masked while typed. */
  masked: string[];
  upload?: string;
}

// One secret of every connector type of the seed, with the labels the form shows.
const CASES: Case[] = [
  { type: 's3', label: 'AWS S3', name: 'finance-s3', fields: { 'Access Key ID': 'AKIAEXAMPLE123', 'Secret Access Key': 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', Region: 'us-east-1' }, masked: ['Secret Access Key', 'Session Token'] },
  { type: 'azure_key', label: 'Azure Blob Storage (account key)', name: 'backup-azure', fields: { 'Account Name': 'backupstore', 'Account Key': 'c2VjcmV0LWFjY291bnQta2V5LWV4YW1wbGU=' }, masked: ['Account Key'] },
  { type: 'azure_sas', label: 'Azure Blob Storage (SAS)', name: 'media-sas', fields: { 'Account Name': 'mediastore', 'SAS Token': 'sv=2022-11-02&ss=b&srt=co&sp=rl&sig=c2FzLXNpZ25hdHVyZQ' }, masked: ['SAS Token'] },
  { type: 'gcs', label: 'Google Cloud Storage', name: 'analytics-gcs', fields: { 'Project ID': 'analytics-prod' }, masked: ['Service Account JSON'], upload: GCS_KEY_FILE },
  { type: 'sharepoint_online', label: 'SharePoint Online', name: 'hr-sharepoint', fields: { 'Site URL': 'https://contoso.sharepoint.com/sites/hr', 'Tenant ID': '72f988bf-86f1-41af-91ab-2d7cd011db47', 'Client ID': '0b8c3f1e-4d2a-4c55-9a61-3f0e2b7d9c10', 'Client Secret': 'Zx8Q~example-client-secret-value' }, masked: ['Client Secret'] },
  { type: 'sharepoint_on_premise', label: 'SharePoint On-Premises', name: 'legal-sp-onprem', fields: { 'Site URL': 'https://sp.corp.example/sites/legal', Username: 'CORP\\svc-legal', Password: 'on-prem-password-123' }, masked: ['Password'] },
  { type: 'confluence', label: 'Confluence', name: 'wiki-confluence', fields: { Username: 'bot@example.com', 'Password or API token': 'ATATT3xFfGF0-confluence-token', 'Base URL': 'https://example.atlassian.net/wiki' }, masked: ['Password or API token'] },
];

const allValues = () => [...CASES.flatMap((c) => [...Object.values(c.fields), ...(c.upload ? [c.upload] : [])]), 'npm-secret-token-value'];

describe('Secret Manager in the browser', { timeout: 240_000 }, () => {
  let env: Env;
  let ctx: BrowserContext;
  let page: Page;
  const row = (name: string) => page.locator(`tr[data-secret="${name}"]`);
  const dialog = () => page.getByRole('dialog');
  /** Each test starts from the unfiltered list, so one failure does not spill into the next. */
  const fresh = async () => {
    await page.goto('/dashboard/secret-manager');
    await row('finance-s3').waitFor();
  };
  const openActions = async (name: string, item: string) => {
    await page.getByRole('button', { name: `Actions for ${name}`, exact: true }).click();
    await page.getByRole('menuitem', { name: item, exact: true }).click();
  };

  before(async () => {
    env = await startEnv({ SECRET_MANAGER_ADMIN_API_KEY: ADMIN_KEY });
    ctx = await env.context();
    // A test-only clock: the page's timers run at real speed until the test jumps ahead, so the
    // 30-second hide of Reveal is checked without waiting and without a shorter timer in the app.
    await ctx.clock.install();
    page = await ctx.newPage();
  });
  afterEach(async (t) => {
    // The screen as the test left it: the first place to look when a test fails.
    if (page && !page.isClosed()) await page.screenshot({ path: `${SCREENSHOTS}/last-${t.name.slice(0, 40).replace(/\W+/g, '-')}.png` }).catch(() => undefined);
  });
  after(async () => env?.close());

  it('signs in (a wrong password is refused in words) and reaches Secret Manager through the account menu', async () => {
    await page.goto('/dashboard/secret-manager');
    await page.getByRole('heading', { name: 'Sign in to Coffer' }).waitFor();
    await shot(page, 'sign-in');
    await field(page, 'Email').fill(ADMIN.email);
    await field(page, 'Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The email or password is not right.' }).waitFor();
    await field(page, 'Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the user was going before signing in.
    await page.getByRole('heading', { name: 'Secret Manager' }).waitFor();
    await page.getByRole('button', { name: 'Account' }).click();
    await page.getByRole('menuitem', { name: 'System Dashboard' }).click();
    await page.getByRole('heading', { name: 'System Dashboard' }).waitFor();
    await page.getByRole('heading', { name: 'Configuration' }).waitFor();
    await shot(page, 'dashboard');
    await page.getByRole('main').getByRole('link', { name: /Secret Manager/ }).click();
    await page.getByText('No secrets yet. Create the first one with New Secret.').waitFor();
  });

  it('creates one secret of every connector type through the form, with sensitive fields masked', async () => {
    for (const c of CASES) {
      await page.getByRole('button', { name: 'New Secret' }).click();
      await choose(page, 'Connector type', c.label, dialog());
      await field(dialog(), 'Name').fill(c.name);
      await field(dialog(), 'Description').fill(`${c.label} credentials`);
      for (const [label, value] of Object.entries(c.fields)) await field(dialog(), label).fill(value);
      for (const label of c.masked) {
        const input = field(dialog(), label);
        const masked = await input.evaluate((el) => (el as HTMLInputElement).type === 'password' || getComputedStyle(el).getPropertyValue('-webkit-text-security') === 'disc');
        assert.ok(masked, `${c.type}: ${label} is not masked`);
      }
      if (c.upload) {
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), dialog().getByRole('button', { name: 'Upload key file (.json)' }).click()]);
        await chooser.setFiles({ name: 'analytics-prod-key.json', mimeType: 'application/json', buffer: Buffer.from(c.upload) });
        await dialog().getByText('Loaded analytics-prod-key.json').waitFor();
        assert.equal(await field(dialog(), 'Service Account JSON').inputValue(), c.upload);
      }
      if (c.type === 's3') {
        // The show toggle unmasks, and masks again.
        const secretInput = field(dialog(), 'Secret Access Key');
        await dialog().getByRole('button', { name: 'Show or hide Secret Access Key' }).click();
        assert.equal(await secretInput.getAttribute('type'), 'text');
        await dialog().getByRole('button', { name: 'Show or hide Secret Access Key' }).click();
        assert.equal(await secretInput.getAttribute('type'), 'password');
        await dialog().getByRole('radio', { name: /system secret/ }).check();
        await shot(page, 'new-secret-s3');
      }
      if (c.type === 'gcs') await shot(page, 'new-secret-gcs-upload');
      await dialog().getByRole('button', { name: 'Create Secret' }).click();
      await dialog().waitFor({ state: 'hidden' });
      await row(c.name).waitFor();
      assert.match(await row(c.name).innerText(), new RegExp(c.label.replace(/[()]/g, '\\$&')));
    }
    assert.equal(await page.locator('tr[data-secret]').count(), CASES.length);
    assert.match(await row('finance-s3').innerText(), /system/i);
    await shot(page, 'secret-manager');
  });

  it('creates a generic secret with field names of its own', async () => {
    await page.getByRole('button', { name: 'New Secret' }).click();
    await choose(page, 'Connector type', 'Generic', dialog());
    await field(dialog(), 'Name').fill('build-tokens');
    await field(dialog(), 'Field 1 name').fill('npm_token');
    await field(dialog(), 'Field 1 value').fill('npm-secret-token-value');
    await dialog().getByRole('button', { name: 'Add field' }).click();
    await field(dialog(), 'Field 2 name').fill('npm_token');
    await field(dialog(), 'Field 2 value').fill('other');
    await dialog().getByRole('button', { name: 'Create Secret' }).click();
    await dialog().getByText('Two fields have the same name').waitFor();
    await field(dialog(), 'Field 2 name').fill('registry');
    await dialog().getByRole('button', { name: 'Create Secret' }).click();
    await dialog().waitFor({ state: 'hidden' });
    await row('build-tokens').waitFor();
    await openActions('build-tokens', 'Reveal');
    assert.deepEqual(JSON.parse((await dialog().getByTestId('reveal-json').textContent())!), { name: 'build-tokens', connector_type: 'generic', npm_token: 'npm-secret-token-value', registry: 'other' });
    await page.keyboard.press('Escape');
    await eventually(async () => assert.equal(await dialog().count(), 0));
  });

  it('shows every problem in words: client checks, server validation by field, a taken name', async () => {
    await page.getByRole('button', { name: 'New Secret' }).click();
    await dialog().getByRole('button', { name: 'Create Secret' }).click();
    await dialog().getByText('Choose a connector type').first().waitFor();
    await choose(page, 'Connector type', 'AWS S3', dialog());
    await field(dialog(), 'Name').fill('bad name!');
    await dialog().getByRole('button', { name: 'Create Secret' }).click();
    await dialog().getByText('Use letters, digits, . _ -', { exact: false }).waitFor();
    await dialog().getByText('Secret Access Key is required').waitFor();
    // The server checks the format of each field; its message lands under the field.
    await field(dialog(), 'Name').fill('bad-region');
    await field(dialog(), 'Access Key ID').fill('AKIAEXAMPLE999');
    await field(dialog(), 'Secret Access Key').fill('another-secret-key');
    await field(dialog(), 'Region').fill('US East');
    await dialog().getByRole('button', { name: 'Create Secret' }).click();
    await dialog().getByText('must be a region name such as us-east-1').first().waitFor();
    await dialog().getByRole('alert').filter({ hasText: 'Some values need fixing' }).waitFor();
    await shot(page, 'new-secret-server-error');
    await field(dialog(), 'Region').fill('us-east-2');
    await field(dialog(), 'Name').fill('finance-s3');
    await dialog().getByRole('button', { name: 'Create Secret' }).click();
    await dialog().getByText('A secret with this name exists (perhaps in the trash)').waitFor();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await dialog().waitFor({ state: 'hidden' });
    assert.equal(await row('bad-region').count(), 0);
  });

  it('filters by connector type and by name, and keeps the filter in the address', async () => {
    await fresh();
    await choose(page, 'Connector type', 'AWS S3');
    await eventually(async () => assert.deepEqual(await page.locator('tr[data-secret]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-secret'))), ['finance-s3']));
    assert.match(page.url(), /type=s3/);
    await page.reload();
    await row('finance-s3').waitFor();
    assert.equal(await page.locator('tr[data-secret]').count(), 1);
    await page.getByRole('combobox', { name: 'Connector type' }).click();
    await page.getByRole('option', { name: 'SharePoint Online', exact: true }).click();
    await row('hr-sharepoint').waitFor();
    assert.equal(await page.locator('tr[data-secret]').count(), 1);
    // Clear the type; search by name instead.
    await page.getByRole('button', { name: 'Clear the connector type filter' }).click();
    await page.getByRole('searchbox', { name: 'Search' }).fill('legal');
    await eventually(async () => assert.deepEqual(await page.locator('tr[data-secret]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-secret'))), ['legal-sp-onprem']));
    await page.getByRole('searchbox', { name: 'Search' }).fill('no-such-secret');
    await page.getByText('No secrets match this filter.').waitFor();
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
    await eventually(async () => assert.equal(await page.locator('tr[data-secret]').count(), CASES.length + 1));
  });

  it('reveals a secret as JSON with a copy button, and hides it again after 30 seconds', async () => {
    await fresh();
    await openActions('finance-s3', 'Reveal');
    const json = dialog().getByTestId('reveal-json');
    await json.waitFor();
    const shown = JSON.parse((await json.textContent())!);
    assert.deepEqual(shown, { name: 'finance-s3', connector_type: 's3', access_key_id: 'AKIAEXAMPLE123', secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1' });
    await dialog().getByRole('button', { name: 'Copy' }).click();
    await dialog().getByRole('button', { name: 'Copied' }).waitFor();
    assert.deepEqual(JSON.parse(await page.evaluate(() => navigator.clipboard.readText())), shown);
    await shot(page, 'reveal');
    await page.clock.fastForward(25_000);
    await dialog().getByText(/Hidden again in [1-5] s/).waitFor();
    assert.ok(await json.isVisible(), 'still shown before 30 s');
    await page.clock.fastForward(6_000);
    await dialog().getByText('The value was hidden after 30 seconds').waitFor();
    assert.equal(await dialog().getByTestId('reveal-json').count(), 0);
    assert.ok(!(await page.content()).includes('wJalrXUtnFEMI'), 'the value is gone from the page');
    // Reveal again works; closing drops the value too.
    await dialog().getByRole('button', { name: 'Reveal again' }).click();
    await dialog().getByTestId('reveal-json').waitFor();
    await dialog().getByRole('button', { name: 'Close' }).first().click();
    await dialog().waitFor({ state: 'hidden' });
    assert.ok(!(await page.content()).includes('wJalrXUtnFEMI'), "!(await page.content()).includes('wJalrXUtnFEMI')");
    // The GCS key file round-trips exactly.
    await openActions('analytics-gcs', 'Reveal');
    const gcs = JSON.parse((await dialog().getByTestId('reveal-json').textContent())!);
    assert.equal(gcs.service_account_json, GCS_KEY_FILE);
    assert.equal(gcs.connector_type, 'gcs');
    await dialog().getByRole('button', { name: 'Close' }).first().click();
  });

  it('edits a secret: a blank sensitive field keeps its value; the old version stays readable', async () => {
    await fresh();
    await openActions('finance-s3', 'Edit');
    await dialog().getByText('Fields you leave blank keep their stored value.').waitFor();
    assert.equal(await field(dialog(), 'Secret Access Key').inputValue(), '', 'the stored value is not put into the form');
    await field(dialog(), 'Region').fill('eu-west-1');
    await field(dialog(), 'Description').fill('Finance bucket, moved to Ireland');
    await shot(page, 'edit-secret');
    await dialog().getByRole('button', { name: 'Submit' }).click();
    await dialog().waitFor({ state: 'hidden' });
    await row('finance-s3').getByText('Finance bucket, moved to Ireland').waitFor();

    await openActions('finance-s3', 'Reveal');
    const now = JSON.parse((await dialog().getByTestId('reveal-json').textContent())!);
    assert.equal(now.region, 'eu-west-1');
    assert.equal(now.secret_access_key, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY');
    assert.equal(now.access_key_id, 'AKIAEXAMPLE123');
    await dialog().getByRole('button', { name: 'Close' }).first().click();
    await dialog().waitFor({ state: 'hidden' });

    await openActions('finance-s3', 'Versions');
    await dialog().getByRole('cell', { name: '2 (current)' }).waitFor();
    await dialog().getByRole('button', { name: 'Reveal version 1' }).click();
    const v1 = page.getByRole('dialog', { name: 'Reveal finance-s3 (version 1)' });
    assert.equal(JSON.parse((await v1.getByTestId('reveal-json').textContent())!).region, 'us-east-1');
    // Keyboard: Escape closes the dialog.
    await page.keyboard.press('Escape');
    await eventually(async () => assert.equal(await dialog().count(), 0));
  });

  it('deletes after a confirmation that names the connectors that will break; the trash restores', async () => {
    await fresh();
    // A connector that uses the secret, made through the connectors API.
    await apiWithKey(env.url, ADMIN_KEY, 'POST', '/connectors', { id: 'nightly-backup', name: 'nightly-backup', type: 'azure_key', secret_id: 'backup-azure', target: { container: 'backups' } });
    await page.reload();
    await row('backup-azure').getByText('nightly-backup').waitFor();
    await openActions('backup-azure', 'Delete');
    const confirm = page.getByRole('dialog', { name: 'Delete secret backup-azure?' });
    await confirm.getByText('Connectors using this secret will break').waitFor();
    await confirm.getByRole('list', { name: 'Connectors using this secret' }).getByText('nightly-backup').waitFor();
    await shot(page, 'delete-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    assert.equal(await row('backup-azure').count(), 1, 'Cancel deletes nothing');

    await openActions('backup-azure', 'Delete');
    await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
    await confirm.waitFor({ state: 'hidden' });
    await row('backup-azure').waitFor({ state: 'detached' });

    // A secret no connector uses: the dialog still warns, then deletes.
    await openActions('wiki-confluence', 'Delete');
    const c2 = page.getByRole('dialog', { name: 'Delete secret wiki-confluence?' });
    await c2.getByText('No connector uses this secret now.').waitFor();
    await c2.getByRole('button', { name: 'Delete', exact: true }).click();
    await row('wiki-confluence').waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Trash' }).click();
    await page.getByRole('heading', { name: 'Trash' }).waitFor();
    await row('backup-azure').waitFor();
    await row('wiki-confluence').waitFor();
    await shot(page, 'trash');
    await page.getByRole('button', { name: 'Restore wiki-confluence' }).click();
    await row('wiki-confluence').waitFor({ state: 'detached' });
    await page.getByRole('link', { name: '← Secret Manager' }).click();
    await row('wiki-confluence').waitFor();
    assert.equal(await row('backup-azure').count(), 0);
  });

  it('works on a narrow window: navigation behind the burger, the table and the form fit', async () => {
    const phone = await env.context(PHONE);
    const p = await phone.newPage();
    await signIn(p, ADMIN.email, ADMIN.password);
    await shot(p, 'narrow-dashboard');
    await p.getByRole('button', { name: 'Open navigation' }).click();
    await p.getByRole('navigation').getByRole('link', { name: 'Secret Manager' }).click();
    await p.locator('tr[data-secret="finance-s3"]').waitFor();
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
    await shot(p, 'narrow-secret-manager');
    await p.getByRole('button', { name: 'Actions for finance-s3' }).click();
    await p.getByRole('menuitem', { name: 'Reveal' }).waitFor();
    await p.keyboard.press('Escape');
    await p.getByRole('button', { name: 'New Secret' }).click();
    await choose(p, 'Connector type', 'Google Cloud Storage', p.getByRole('dialog'));
    await shot(p, 'narrow-new-secret');
  });

  it('pages through a thousand secrets', async () => {
    await fresh();
    const started = Date.now();
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => fetch(`${env.url}/api/v1/secrets`, {
        method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ secret_id: `bulk-${String(i + j).padStart(4, '0')}`, secret_type: 'generic', secret_value: { token: `t${i + j}` } }),
      }).then((r) => assert.equal(r.status, 201))));
    }
    assert.ok(Date.now() - started < 60_000, 'Date.now() - started < 60_000');
    await page.getByRole('searchbox', { name: 'Search' }).fill('bulk-');
    await row('bulk-0000').waitFor();
    assert.equal(await page.locator('tr[data-secret]').count(), 50);
    await page.getByText('Page 1 · 50 shown').waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await row('bulk-0050').waitFor();
    await page.getByText('Page 2 · 50 shown').waitFor();
    assert.equal(await row('bulk-0000').count(), 0);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await row('bulk-0000').waitFor();
    for (let p = 2; p <= 20; p++) {
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByText(`Page ${p} · 50 shown`).waitFor();
    }
    await row('bulk-0999').waitFor();
    assert.ok(await page.getByRole('button', { name: 'Next page' }).isDisabled(), 'no page after the last');
    await page.getByRole('searchbox', { name: 'Search' }).fill('');
  });

  it('never writes a secret value to the server output', () => {
    const out = env.server.output();
    for (const v of allValues()) assert.ok(!out.includes(v), 'a value appears in the server output');
  });
});
