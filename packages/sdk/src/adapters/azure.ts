// The entry point @coffer/sdk/azure hands an azure_key or azure_sas secret straight to
// @azure/storage-blob (an optional peer, needed only here): a StorageSharedKeyCredential, a ready
// BlobServiceClient, or a short-lived SAS URL built from the account key, so a service can give out
// a download link that expires without ever giving out the key.
import type { BlobServiceClient, StoragePipelineOptions, StorageSharedKeyCredential } from '@azure/storage-blob';
import type { SecretManager } from '../client.js';
import { ConfigurationError } from '../errors.js';
import { SecretManagerFactory } from '../factory.js';

export interface AzureOptions {
  manager?: SecretManager;
  /** The blob endpoint; default https://ACCOUNT.blob.core.windows.net (set it for Azurite or sovereign clouds). */
  endpoint?: string;
}

async function azure(): Promise<typeof import('@azure/storage-blob')> {
  try {
    return await import('@azure/storage-blob');
  } catch {
    throw new ConfigurationError('The Azure adapters need @azure/storage-blob: npm install @azure/storage-blob');
  }
}

async function value(secretId: string, o: AzureOptions) {
  const sm = o.manager ?? SecretManagerFactory.create();
  const v = await sm.getSecret(secretId);
  if (!v.account_name || (!v.account_key && !v.sas_token)) throw new ConfigurationError(`Secret '${secretId}' is not an azure_key or azure_sas secret.`);
  return { ...v, endpoint: (o.endpoint ?? `https://${v.account_name}.blob.core.windows.net`).replace(/\/+$/, '') } as { account_name: string; account_key?: string; sas_token?: string; endpoint: string };
}

/** The account key as the Azure SDK's credential (azure_key secrets). */
export async function azureStorageCredential(secretId: string, o: AzureOptions = {}): Promise<StorageSharedKeyCredential> {
  const v = await value(secretId, o);
  if (!v.account_key) throw new ConfigurationError(`Secret '${secretId}' holds a SAS token, not an account key; use azureBlobServiceClient.`);
  return new (await azure()).StorageSharedKeyCredential(v.account_name, v.account_key);
}

/** A BlobServiceClient signed with the secret's account key or SAS token. */
export async function azureBlobServiceClient(secretId: string, o: AzureOptions & { pipeline?: StoragePipelineOptions } = {}): Promise<BlobServiceClient> {
  const v = await value(secretId, o);
  const az = await azure();
  if (v.account_key) return new az.BlobServiceClient(v.endpoint, new az.StorageSharedKeyCredential(v.account_name, v.account_key), o.pipeline);
  return new az.BlobServiceClient(`${v.endpoint}?${v.sas_token!.replace(/^\?/, '')}`, new az.AnonymousCredential(), o.pipeline);
}

export interface SasOptions extends AzureOptions {
  container: string;
  /** A single blob; the whole container when absent. */
  blob?: string;
  /** SAS permission letters, e.g. 'r' (read), 'rl' (read, list). Default 'r'. */
  permissions?: string;
  /** Default 15 minutes. */
  expiresInMinutes?: number;
}

/**
 * A URL carrying a SAS for one container or blob. From an azure_key secret it is freshly signed,
 * narrow and short-lived; an azure_sas secret's own token is returned as it is (it cannot be narrowed).
 */
export async function azureSasUrl(secretId: string, o: SasOptions): Promise<string> {
  const v = await value(secretId, o);
  const az = await azure();
  const path = `${v.endpoint}/${encodeURIComponent(o.container)}${o.blob ? `/${o.blob.split('/').map(encodeURIComponent).join('/')}` : ''}`;
  if (!v.account_key) return `${path}?${v.sas_token!.replace(/^\?/, '')}`;
  const now = Date.now();
  const sas = az.generateBlobSASQueryParameters({
    containerName: o.container,
    ...(o.blob ? { blobName: o.blob } : {}),
    permissions: (o.blob ? az.BlobSASPermissions : az.ContainerSASPermissions).parse(o.permissions ?? 'r'),
    // A little in the past: clocks differ between this host and Azure.
    startsOn: new Date(now - 5 * 60_000),
    expiresOn: new Date(now + (o.expiresInMinutes ?? 15) * 60_000),
  }, new az.StorageSharedKeyCredential(v.account_name, v.account_key));
  return `${path}?${sas.toString()}`;
}
