// Azure Blob Storage with an account key or a SAS token, through @azure/storage-blob.
import { AnonymousCredential, BlobServiceClient, StorageSharedKeyCredential, type BlobItem, type ContainerClient } from '@azure/storage-blob';
import { Readable } from 'node:stream';
import { decodeCursor, encodeCursor, networkCode, unreachable } from './http.js';
import { ObjectMissing, ProviderFailure, type FailureReason, type Provider, type Target, type Value } from './types.js';

const WHAT = 'Azure Blob Storage';

const CODES: Record<string, [FailureReason, string]> = {
  AuthorizationFailure: ['no_access', 'Azure accepted the credential but refused this operation (a network rule or a SAS scope).'],
  AuthorizationPermissionMismatch: ['no_access', 'The SAS token does not grant the list/read permission this needs.'],
  AuthorizationResourceTypeMismatch: ['no_access', 'The SAS token is not valid for this kind of resource.'],
  AuthorizationServiceMismatch: ['no_access', 'The SAS token is not valid for the Blob service.'],
  AuthorizationSourceIPMismatch: ['no_access', "The SAS token does not allow this server's address."],
  AccountIsDisabled: ['no_access', 'The storage account is disabled.'],
  ContainerNotFound: ['target_not_found', 'The container does not exist.'],
  ResourceNotFound: ['target_not_found', 'Nothing exists at the target.'],
  InvalidResourceName: ['target_not_found', 'The container name is not valid.'],
};

type Kind = 'key' | 'sas';

/** The SAS expiry (se=) is in the token itself: an expired one is reported without asking Azure. */
function sasExpiry(sas: string): Date | undefined {
  const se = new URLSearchParams(sas.replace(/^\?/, '')).get('se');
  const d = se ? new Date(se) : undefined;
  return d && !Number.isNaN(d.getTime()) ? d : undefined;
}

/** A service SAS (sr=) opens one container or blob; only an account SAS can be checked without a target. */
const serviceSas = (sas: string) => new URLSearchParams(sas.replace(/^\?/, '')).has('sr');

function failure(e: unknown, timeoutMs: number, kind: Kind): ProviderFailure {
  if (e instanceof ProviderFailure) return e;
  const net = networkCode(e) ?? ((e as { code?: string }).code === 'REQUEST_SEND_ERROR' ? 'REQUEST_SEND_ERROR' : undefined);
  if (net) return unreachable(WHAT, net, timeoutMs);
  const code = (e as { code?: string }).code ?? (e as { details?: { errorCode?: string } }).details?.errorCode;
  const status = (e as { statusCode?: number }).statusCode;
  // Azure (AuthenticationFailed) and Azurite (AuthorizationFailure) word a bad signature the same way.
  if (code === 'AuthenticationFailed' || (status === 403 && /failed to authenticate/i.test((e as Error).message ?? ''))) {
    return new ProviderFailure('invalid_credentials', kind === 'key'
      ? 'Azure refused the signature: the account key is wrong for this account.'
      : 'Azure refused the SAS token: its signature does not match (a wrong token, or one made for another container or account).', code ?? 'AuthenticationFailed');
  }
  const known = code ? CODES[code] : undefined;
  if (known) return new ProviderFailure(known[0], known[1], code);
  if (status === 403) return new ProviderFailure('no_access', 'Azure refused access (403).', code ?? 'HTTP 403');
  if (status === 404) return new ProviderFailure('target_not_found', 'Azure found nothing at the target (404).', code ?? 'HTTP 404');
  if (status === undefined) return new ProviderFailure('unreachable', `${WHAT} could not be reached.`, code);
  return new ProviderFailure('provider_error', `Azure answered ${status}${code ? ` ${code}` : ''}.`, code);
}

function service(v: Value, target: Target | undefined, timeoutMs: number): BlobServiceClient {
  const endpoint = (target?.endpoint_url ?? `https://${v.account_name}.blob.core.windows.net`).replace(/\/+$/, '');
  const options = { retryOptions: { maxTries: 1, tryTimeoutInMs: timeoutMs } };
  if (v.account_key) return new BlobServiceClient(endpoint, new StorageSharedKeyCredential(v.account_name!, v.account_key), options);
  const expiry = v.sas_token ? sasExpiry(v.sas_token) : undefined;
  if (expiry && expiry.getTime() <= Date.now()) throw new ProviderFailure('expired', `The SAS token expired at ${expiry.toISOString()}.`, 'se');
  return new BlobServiceClient(`${endpoint}?${v.sas_token!.replace(/^\?/, '')}`, new AnonymousCredential(), options);
}

async function call<T>(v: Value, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw failure(e, timeoutMs, v.account_key ? 'key' : 'sas');
  }
}

const container = (v: Value, t: Target, timeoutMs: number): ContainerClient => service(v, t, timeoutMs).getContainerClient(t.container!);
const prefixOf = (t: Target) => t.prefix ?? '';

export const azureProvider: Provider = {
  async check(v, target, o) {
    if (!target?.container) {
      if (v.sas_token && serviceSas(v.sas_token)) throw new ProviderFailure('target_required', 'This SAS token opens one container (sr=): give the container to check it.', 'sr');
      const s = service(v, target, o.timeoutMs);
      try {
        await call(v, o.timeoutMs, () => s.listContainers().byPage({ maxPageSize: 1 }).next());
        return 'Azure accepted the credential and listed containers.';
      } catch (e) {
        // An account SAS without the service/list scope still had its signature checked.
        if (e instanceof ProviderFailure && e.reason === 'no_access') return 'Azure accepted the credential (it may not list containers; give a container to check access to it).';
        throw e;
      }
    }
    const c = container(v, target, o.timeoutMs);
    await call(v, o.timeoutMs, () => c.listBlobsFlat({ prefix: prefixOf(target) }).byPage({ maxPageSize: 1 }).next());
    return `Azure accepted the credential and it may list ${target.container}/${prefixOf(target)}.`;
  },

  async list(v, target, q, o) {
    const base = prefixOf(target);
    const c = container(v, target, o.timeoutMs);
    const page = await call(v, o.timeoutMs, () => c.listBlobsFlat({ prefix: base + q.prefix }).byPage({ maxPageSize: q.limit, continuationToken: decodeCursor(q.cursor) }).next());
    const r = page.value;
    return {
      items: (r?.segment.blobItems ?? []).map((b: BlobItem) => ({
        key: b.name.slice(base.length), name: b.name.split('/').pop() ?? b.name, size: b.properties.contentLength ?? null, modified_at: b.properties.lastModified?.toISOString() ?? null, folder: false,
      })),
      next_cursor: r?.continuationToken ? encodeCursor(r.continuationToken) : null,
    };
  },

  async read(v, target, key, o) {
    const blob = container(v, target, o.timeoutMs).getBlobClient(prefixOf(target) + key);
    try {
      const r = await blob.download();
      return { body: r.readableStreamBody as Readable, name: key.split('/').pop() || key, contentType: r.contentType ?? 'application/octet-stream', size: r.contentLength ?? null };
    } catch (e) {
      const f = failure(e, o.timeoutMs, v.account_key ? 'key' : 'sas');
      if (f.providerCode === 'BlobNotFound' || (f.reason === 'target_not_found' && f.providerCode !== 'ContainerNotFound')) throw new ObjectMissing(key);
      throw f;
    }
  },
};
