// Each connector type checked and used through the real API with the vendor's own SDK or REST
// client, against stand-ins that verify the credential: Azurite (shared key and SAS signatures),
// nock for Google's token endpoint (RS256 assertion checked with the key's public half) and for
// Entra ID + Microsoft Graph, and loopback Confluence and SharePoint Server checking Basic auth.
// The right credential works; a wrong one is refused with the precise reason. (S3: connectors.api.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient, ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import nock from 'nock';
import { startConfluence, startSharePointServer, type LoopbackSite } from '../../test/fakes/basic-sites.js';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from '../../test/fakes/azurite.js';
import { fakeGcs, serviceAccount } from '../../test/fakes/gcs.js';
import { fakeGraph } from '../../test/fakes/graph.js';
import { startTestEnv, type TestEnv } from '../../test/helpers.js';

const B = '/api/v1';
let t: TestEnv;
let n = 0;

/** Creates a secret and a connector on it; answers the connector's check. */
async function connector(type: string, value: Record<string, string>, target: Record<string, string>) {
  const id = `${type.replace(/_/g, '-')}-${++n}`;
  const s = await t.admin('POST', `${B}/secrets`, { secret_id: id, secret_type: type, secret_value: value });
  assert.equal(s.statusCode, 201, s.body);
  const c = await t.admin('POST', `${B}/connectors`, { id, name: id, type, secret_id: id, target });
  assert.equal(c.statusCode, 201, c.body);
  const check = await t.admin('POST', `${B}/connectors/${id}/check`);
  assert.equal(check.statusCode, 200, check.body);
  for (const v of Object.values(value)) if (v.length > 8) assert.ok(!check.body.includes(v), 'a check answer never quotes the secret');
  return { id, check: check.json() as { ok: boolean; reason: string; provider_code: string | null; message: string } };
}

const reasonOf = async (type: string, value: Record<string, string>, target: Record<string, string>) => {
  const { check } = await connector(type, value, target);
  return [check.ok, check.reason];
};

async function keys(id: string, prefix = ''): Promise<string[]> {
  const r = await t.admin('GET', `${B}/connectors/${id}/objects?prefix=${encodeURIComponent(prefix)}`);
  assert.equal(r.statusCode, 200, r.body);
  return (r.json().items as { key: string }[]).map((i) => i.key);
}

async function read(id: string, key: string): Promise<string> {
  const r = await t.admin('GET', `${B}/connectors/${id}/objects/${encodeURIComponent(key)}`);
  assert.equal(r.statusCode, 200, r.body);
  return r.body;
}

before(async () => {
  t = await startTestEnv();
});
after(async () => {
  await t.close();
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('Azure Blob Storage (Azurite)', () => {
  let az: Azurite;
  let sas: (perms: string, container?: string, expiresOn?: Date) => string;
  before(async () => {
    az = await startAzurite();
    const cred = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
    const svc = new BlobServiceClient(az.endpoint, cred);
    for (const c of ['docs', 'private']) await svc.getContainerClient(c).create();
    await svc.getContainerClient('docs').uploadBlockBlob('contracts/a.txt', 'contract a', 10);
    await svc.getContainerClient('docs').uploadBlockBlob('contracts/2026/b.txt', 'contract b', 10);
    sas = (perms, container = 'docs', expiresOn = new Date(Date.now() + 3600_000)) =>
      generateBlobSASQueryParameters({ containerName: container, permissions: ContainerSASPermissions.parse(perms), startsOn: new Date(expiresOn.getTime() - 7200_000), expiresOn }, cred).toString();
  });
  after(() => az.stop());

  const target = (extra: Record<string, string> = {}) => ({ container: 'docs', prefix: 'contracts/', endpoint_url: az.endpoint, ...extra });
  const key = (k = AZURITE_KEY) => ({ account_name: AZURITE_ACCOUNT, account_key: k });
  const sasValue = (s: string) => ({ account_name: AZURITE_ACCOUNT, sas_token: s });

  it('an account key: right one ok, wrong one invalid_credentials, missing container target_not_found', async () => {
    const good = await connector('azure_key', key(), target());
    assert.equal(good.check.ok, true, good.check.message);
    assert.deepEqual(await keys(good.id), ['2026/b.txt', 'a.txt']);
    assert.equal(await read(good.id, '2026/b.txt'), 'contract b');
    assert.deepEqual(await reasonOf('azure_key', key(Buffer.alloc(64, 7).toString('base64')), target()), [false, 'invalid_credentials']);
    assert.deepEqual(await reasonOf('azure_key', key(), target({ container: 'nosuch' })), [false, 'target_not_found']);
  });

  it('a SAS token: ok within its container and permissions; expired, wrong or too narrow ones say so', async () => {
    const good = await connector('azure_sas', sasValue(sas('rl')), target());
    assert.equal(good.check.ok, true, good.check.message);
    assert.equal(await read(good.id, 'a.txt'), 'contract a');
    assert.deepEqual(await reasonOf('azure_sas', sasValue(sas('rl', 'docs', new Date(Date.now() - 60_000))), target()), [false, 'expired']);
    const forged = sas('rl').replace(/sig=[^&]+/, `sig=${encodeURIComponent(Buffer.alloc(32, 9).toString('base64'))}`);
    assert.deepEqual(await reasonOf('azure_sas', sasValue(forged), target()), [false, 'invalid_credentials']);
    assert.deepEqual(await reasonOf('azure_sas', sasValue(sas('r')), target()), [false, 'no_access']);
    // A container SAS checked without its container cannot prove anything: say what is missing.
    await t.admin('POST', `${B}/secrets`, { secret_id: 'sas-alone', secret_type: 'azure_sas', secret_value: sasValue(sas('rl')) });
    const alone = (await t.admin('POST', `${B}/secrets/sas-alone/check`, { target: { endpoint_url: az.endpoint } })).json();
    assert.deepEqual([alone.ok, alone.reason], [false, 'target_required']);
    const withContainer = (await t.admin('POST', `${B}/secrets/sas-alone/check`, { target: { endpoint_url: az.endpoint, container: 'docs' } })).json();
    assert.equal(withContainer.ok, true);
  });
});

describe('Google Cloud Storage (nock: token endpoint + JSON API)', () => {
  const reader = serviceAccount('reader@coffer-test.iam.gserviceaccount.com', ['coffer-docs']);
  const impostor = serviceAccount('reader@coffer-test.iam.gserviceaccount.com', []);
  const disabled = serviceAccount('gone@coffer-test.iam.gserviceaccount.com', ['coffer-docs'], { disabled: true });
  let gcs: ReturnType<typeof fakeGcs>;
  before(() => {
    gcs = fakeGcs([reader, disabled], { 'coffer-docs': { 'papers/one.txt': 'paper one', 'papers/two.txt': 'paper two' }, 'coffer-other': {} });
  });
  after(() => gcs.done());
  const value = (json: string) => ({ project_id: 'coffer-test', service_account_json: json });

  it('the right key lists and reads; another key for the same account, a disabled account, a foreign bucket are refused', async () => {
    const good = await connector('gcs', value(reader.json), { bucket: 'coffer-docs', prefix: 'papers/' });
    assert.equal(good.check.ok, true, good.check.message);
    assert.deepEqual(await keys(good.id), ['one.txt', 'two.txt']);
    assert.equal(await read(good.id, 'two.txt'), 'paper two');
    const wrong = await connector('gcs', value(impostor.json), { bucket: 'coffer-docs' });
    assert.deepEqual([wrong.check.reason, wrong.check.provider_code], ['invalid_credentials', 'invalid_grant']);
    assert.match(wrong.check.message, /signature/);
    assert.deepEqual(await reasonOf('gcs', value(disabled.json), { bucket: 'coffer-docs' }), [false, 'invalid_credentials']);
    assert.deepEqual(await reasonOf('gcs', value(reader.json), { bucket: 'coffer-other' }), [false, 'no_access']);
    assert.deepEqual(await reasonOf('gcs', value(reader.json), { bucket: 'coffer-nosuch' }), [false, 'target_not_found']);
    assert.ok(gcs.verified() >= 4, 'the token endpoint verified the assertions');
  });
});

describe('SharePoint Online (nock: Entra ID + Microsoft Graph)', () => {
  const TENANT = '0b6d1a1e-2d38-4a5f-9c4b-1f2e3d4c5b6a';
  const APP = '5f0c6d1e-7a2b-4c3d-8e9f-a0b1c2d3e4f5';
  const OLD = '6a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const NONE = '7b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e';
  let graph: ReturnType<typeof fakeGraph>;
  before(() => {
    graph = fakeGraph(TENANT, [{ clientId: APP, secret: 'app-secret-value-1234' }, { clientId: OLD, secret: 'old-secret-value-1234', expired: true }, { clientId: NONE, secret: 'none-secret-value-1234' }],
      [{ address: 'contoso.sharepoint.com/sites/legal', readers: [APP, OLD], libraries: { Documents: { 'Contracts/nda.pdf': 'nda pdf', 'Contracts/2026/msa.pdf': 'msa pdf' } } }]);
  });
  const value = (clientId: string, secret: string, extra: Record<string, string> = {}) => ({ site_url: 'https://contoso.sharepoint.com/sites/legal', tenant_id: TENANT, client_id: clientId, client_secret: secret, ...extra });

  it('client credentials: right secret reads the library; wrong, expired, unknown tenant, no grant are told apart', async () => {
    const good = await connector('sharepoint_online', value(APP, 'app-secret-value-1234'), { library: 'Shared Documents', folder: 'Contracts' });
    assert.equal(good.check.ok, true, good.check.message);
    assert.deepEqual(await keys(good.id), ['nda.pdf', '2026']);
    assert.deepEqual(await keys(good.id, '2026'), ['2026/msa.pdf']);
    assert.equal(await read(good.id, '2026/msa.pdf'), 'msa pdf');
    assert.equal(graph.leakedTokens(), 0, 'the bearer token is not sent to the download host');

    const wrong = await connector('sharepoint_online', value(APP, 'not-the-secret-1234'), { library: 'Documents' });
    assert.deepEqual([wrong.check.reason, wrong.check.provider_code], ['invalid_credentials', 'AADSTS7000215']);
    assert.deepEqual(await reasonOf('sharepoint_online', value(OLD, 'old-secret-value-1234'), { library: 'Documents' }), [false, 'expired']);
    assert.deepEqual(await reasonOf('sharepoint_online', value(APP, 'app-secret-value-1234', { tenant_id: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' }), { library: 'Documents' }), [false, 'invalid_credentials']);
    assert.deepEqual(await reasonOf('sharepoint_online', value(NONE, 'none-secret-value-1234'), { library: 'Documents' }), [false, 'no_access']);
    assert.deepEqual(await reasonOf('sharepoint_online', value(APP, 'app-secret-value-1234'), { library: 'Nope' }), [false, 'target_not_found']);
  });
});

describe('Confluence and SharePoint Server (loopback, Basic auth)', () => {
  let wiki: LoopbackSite;
  let sp: LoopbackSite;
  before(async () => {
    wiki = await startConfluence([{ username: 'ann@example.com', password: 'ATATT-api-token-123', may: ['ENG'] }],
      [{ id: '101', title: 'Runbook', space: 'ENG', html: '<p>restart it</p>' }, { id: '201', title: 'Salaries', space: 'HR', html: '<p>secret</p>' }], { anonymous: true });
    sp = await startSharePointServer('sites/legal', [{ username: 'CORP\\bob', password: 'bobs-password-123', may: ['Documents'] }, { username: 'CORP\\eve', password: 'eves-password-123', may: [] }],
      { Documents: { 'Contracts/a.docx': 'docx a' }, Private: { 'x.txt': 'x' } });
  });
  after(async () => {
    await wiki.close();
    await sp.close();
  });

  it('Confluence: the right API token reads the space; a wrong one, another space, a wrong base URL are told apart', async () => {
    const value = (password: string) => ({ username: 'ann@example.com', password, base_url: `${wiki.url}/wiki` });
    const good = await connector('confluence', value('ATATT-api-token-123'), { space: 'ENG' });
    assert.equal(good.check.ok, true, good.check.message);
    assert.deepEqual(await keys(good.id), ['101']);
    assert.equal(await read(good.id, '101'), '<p>restart it</p>');
    assert.equal((await t.admin('GET', `${B}/connectors/${good.id}/objects/201`)).statusCode, 404, 'a page of another space is outside the target');
    assert.equal((await t.admin('GET', `${B}/connectors/${good.id}/objects?prefix=Run`)).json().error.details.fields[0].field, 'query.prefix');
    assert.deepEqual(await reasonOf('confluence', value('wrong-token-1234'), { space: 'ENG' }), [false, 'invalid_credentials']);
    assert.deepEqual(await reasonOf('confluence', value('ATATT-api-token-123'), { space: 'HR' }), [false, 'target_not_found']);
    assert.deepEqual(await reasonOf('confluence', { username: 'ann@example.com', password: 'ATATT-api-token-123' }, { space: 'ENG', base_url: wiki.url }), [false, 'provider_error']);
  });

  it('SharePoint Server: the right password reads the library; a wrong one and a user without access are told apart', async () => {
    const value = (username: string, password: string) => ({ site_url: `${sp.url}/sites/legal`, username, password });
    const good = await connector('sharepoint_on_premise', value('CORP\\bob', 'bobs-password-123'), { library: 'Documents', folder: 'Contracts' });
    assert.equal(good.check.ok, true, good.check.message);
    assert.deepEqual(await keys(good.id), ['a.docx']);
    assert.equal(await read(good.id, 'a.docx'), 'docx a');
    assert.deepEqual(await reasonOf('sharepoint_on_premise', value('CORP\\bob', 'wrong-password-123'), { library: 'Documents' }), [false, 'invalid_credentials']);
    assert.deepEqual(await reasonOf('sharepoint_on_premise', value('CORP\\eve', 'eves-password-123'), { library: 'Documents' }), [false, 'no_access']);
    assert.deepEqual(await reasonOf('sharepoint_on_premise', value('CORP\\bob', 'bobs-password-123'), { library: 'Archive' }), [false, 'target_not_found']);
    assert.ok(sp.authenticated() > 0 && wiki.authenticated() > 0, 'sp.authenticated() > 0 && wiki.authenticated() > 0');
  });
});
