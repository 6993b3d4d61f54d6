// The vendor SDKs themselves, fed from Coffer: the AWS SDK's own S3Client with fromCoffer() against
// a loopback S3 that verifies SigV4 (a wrong key must fail), and @azure/storage-blob against
// Azurite with a key, a SAS secret and a SAS URL built by the SDK.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { BlobServiceClient, ContainerSASPermissions, generateBlobSASQueryParameters, StorageSharedKeyCredential } from '@azure/storage-blob';
import { AZURITE_ACCOUNT, AZURITE_KEY, startAzurite, type Azurite } from '../../server/test/fakes/azurite.js';
import { startFakeS3, type FakeS3 } from '../../server/test/fakes/s3.js';
import { azureBlobServiceClient, azureSasUrl, azureStorageCredential } from '@coffer/sdk/azure';
import { fromCoffer, s3ClientConfigFromCoffer, SecretManagerFactory, type SecretManager } from '../src/index.js';
import { ADMIN_KEY, startCoffer, type Server } from './helpers.js';

let server: Server;
let sm: SecretManager;
before(async () => {
  server = await startCoffer();
  sm = SecretManagerFactory.create({ url: server.url, apiKey: ADMIN_KEY, env: {} });
});
after(() => server.stop());

describe('AWS SDK v3: fromCoffer', () => {
  let s3: FakeS3;
  const KEY_A = 'aws/Key+A+0123456789abcdefghijklmnopqrstuv';
  before(async () => {
    s3 = await startFakeS3({ keys: [{ accessKeyId: 'AKIAADAPTERA', secretAccessKey: KEY_A, buckets: ['adapter-bucket'] }], buckets: { 'adapter-bucket': { 'x/1.csv': '1', 'x/2.csv': '2' } } });
    await sm.createSecret({ id: 'my-s3-secret', type: 's3', value: { access_key_id: 'AKIAADAPTERA', secret_access_key: KEY_A, region: 'us-east-1', endpoint_url: s3.url } });
  });
  after(() => s3.close());

  const list = (client: S3Client) => client.send(new ListObjectsV2Command({ Bucket: 'adapter-bucket', Prefix: 'x/' }));

  it("the AWS SDK's S3Client lists a bucket with credentials from Coffer; the loopback S3 verified the signature", async () => {
    const before = s3.verified();
    const client = new S3Client({ region: 'us-east-1', endpoint: s3.url, forcePathStyle: true, credentials: fromCoffer('my-s3-secret', { manager: sm }) });
    assert.deepEqual((await list(client)).Contents?.map((c) => c.Key), ['x/1.csv', 'x/2.csv']);
    assert.equal(s3.verified(), before + 1);
    client.destroy();
    const configured = new S3Client(await s3ClientConfigFromCoffer('my-s3-secret', { manager: sm }));
    assert.equal((await list(configured)).KeyCount, 2);
    configured.destroy();
  });

  it('a wrong key fails with S3’s SignatureDoesNotMatch, and a rotated secret is picked up without a restart', async () => {
    await sm.createSecret({ id: 'wrong-s3', type: 's3', value: { access_key_id: 'AKIAADAPTERA', secret_access_key: 'not-the-key-0123456789', region: 'us-east-1' } });
    const wrong = new S3Client({ region: 'us-east-1', endpoint: s3.url, forcePathStyle: true, maxAttempts: 1, credentials: fromCoffer('wrong-s3', { manager: sm }) });
    await assert.rejects(list(wrong), (e: Error) => e.name === 'SignatureDoesNotMatch');
    wrong.destroy();

    // refreshAfterMs 0: the AWS SDK asks the provider again for every request.
    await sm.createSecret({ id: 'rotating', type: 's3', value: { access_key_id: 'AKIAADAPTERA', secret_access_key: KEY_A, region: 'us-east-1' } });
    const client = new S3Client({ region: 'us-east-1', endpoint: s3.url, forcePathStyle: true, maxAttempts: 1, credentials: fromCoffer('rotating', { manager: sm, refreshAfterMs: 0 }) });
    assert.equal((await list(client)).KeyCount, 2);
    await sm.updateSecret('rotating', { access_key_id: 'AKIAADAPTERA', secret_access_key: 'revoked-0123456789abcdef', region: 'us-east-1' });
    await assert.rejects(list(client), (e: Error) => e.name === 'SignatureDoesNotMatch');
    client.destroy();
  });
});

describe('@azure/storage-blob: account key, SAS secret, SAS URL', () => {
  let az: Azurite;
  before(async () => {
    az = await startAzurite();
    const svc = new BlobServiceClient(az.endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    for (const c of ['reports', 'payroll']) await svc.getContainerClient(c).create();
    await svc.getContainerClient('reports').uploadBlockBlob('2026/q1.txt', 'q1 report', 9);
    await svc.getContainerClient('payroll').uploadBlockBlob('march.txt', 'salaries', 8);
    await sm.createSecret({ id: 'az-key', type: 'azure_key', value: { account_name: AZURITE_ACCOUNT, account_key: AZURITE_KEY } });
    const sas = generateBlobSASQueryParameters({ containerName: 'reports', permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 3600_000) }, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY)).toString();
    await sm.createSecret({ id: 'az-sas', type: 'azure_sas', value: { account_name: AZURITE_ACCOUNT, sas_token: sas } });
    await sm.createSecret({ id: 'az-wrong', type: 'azure_key', value: { account_name: AZURITE_ACCOUNT, account_key: Buffer.alloc(64, 3).toString('base64') } });
  });
  after(() => az.stop());

  it('a StorageSharedKeyCredential and a BlobServiceClient from Coffer work against Azurite; a wrong key is refused', async () => {
    const cred = await azureStorageCredential('az-key', { manager: sm });
    const direct = new BlobServiceClient(az.endpoint, cred);
    assert.equal((await direct.getContainerClient('reports').getBlobClient('2026/q1.txt').downloadToBuffer()).toString(), 'q1 report');
    const client = await azureBlobServiceClient('az-key', { manager: sm, endpoint: az.endpoint });
    const names: string[] = [];
    for await (const c of client.listContainers()) names.push(c.name);
    assert.deepEqual(names.sort(), ['payroll', 'reports']);
    const wrong = await azureBlobServiceClient('az-wrong', { manager: sm, endpoint: az.endpoint, pipeline: { retryOptions: { maxTries: 1 } } });
    await assert.rejects(wrong.getContainerClient('reports').getProperties(), (e: { statusCode?: number }) => e.statusCode === 403);
    await assert.rejects(azureStorageCredential('az-sas', { manager: sm }), /SAS token, not an account key/);
  });

  it('a SAS secret opens its container only', async () => {
    const client = await azureBlobServiceClient('az-sas', { manager: sm, endpoint: az.endpoint, pipeline: { retryOptions: { maxTries: 1 } } });
    assert.equal((await client.getContainerClient('reports').getBlobClient('2026/q1.txt').downloadToBuffer()).toString(), 'q1 report');
    await assert.rejects(client.getContainerClient('payroll').getBlobClient('march.txt').downloadToBuffer(), (e: { statusCode?: number }) => e.statusCode === 403);
  });

  it('azureSasUrl signs a short-lived URL for one blob from the account key: plain HTTP reads it, and nothing else', async () => {
    const url = await azureSasUrl('az-key', { manager: sm, endpoint: az.endpoint, container: 'reports', blob: '2026/q1.txt', expiresInMinutes: 5 });
    assert.ok(!url.includes(AZURITE_KEY) && !url.includes(encodeURIComponent(AZURITE_KEY)), 'the URL carries a signature, never the key');
    const se = new Date(new URL(url).searchParams.get('se')!);
    assert.ok(se.getTime() - Date.now() < 6 * 60_000 && se.getTime() > Date.now(), 'se.getTime() - Date.now() < 6 * 60_000 && se.getTime() > Date.now()');
    assert.equal(await (await fetch(url)).text(), 'q1 report');
    const other = url.replace('/reports/2026/q1.txt', '/payroll/march.txt');
    assert.equal((await fetch(other)).status, 403);
  });
});
