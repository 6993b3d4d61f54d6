// SecretManager: the seed's calls (listSecretIds, getSecret) and the rest of the secrets API,
// plus connectors, users, roles, API keys and the audit log as sub-objects.
import { AdminApi } from './admin.js';
import { call, pages, type Api } from './api.js';
import { ConnectorsApi } from './connectors.js';
import { CofferError } from './errors.js';
import { SECRET_FIELDS, type CheckResult, type ConnectorTargets, type ConnectorType, type ConnectorTypeInfo, type SecretMetadata, type SecretType, type SecretValues, type SecretVersion } from './types.js';

export interface CreateSecretInput<T extends ConnectorType = ConnectorType> {
  id: string;
  /** Connector type; generic when absent. */
  type?: T;
  value: SecretValues[T];
  /** USER_SECRET (default) or SYSTEM_SECRET. */
  scope?: SecretType;
  description?: string;
}

export interface WriteOptions {
  /** The version you last read: the write is refused (VersionConflictError) if the secret moved on. */
  version?: number;
  description?: string;
}

/** The value did not have the fields of the type the caller asked for. Names fields, never values. */
export class SecretTypeMismatchError extends CofferError {}

export class SecretManager {
  readonly connectors: ConnectorsApi;
  readonly users: AdminApi['users'];
  readonly roles: AdminApi['roles'];
  readonly apiKeys: AdminApi['apiKeys'];
  readonly audit: AdminApi['audit'];

  constructor(private readonly api: Api) {
    this.connectors = new ConnectorsApi(api);
    const admin = new AdminApi(api);
    this.users = admin.users;
    this.roles = admin.roles;
    this.apiKeys = admin.apiKeys;
    this.audit = admin.audit;
  }

  /**
   * Ids of the secrets visible to you, sorted. With a scope, only secrets of that scope: USER_SECRET
   * gives your own (an administrator sees everyone's), SYSTEM_SECRET the shared ones. The scope is
   * filtered on the metadata list (GET /secrets); without one the seed's GET /secrets/ids is used.
   */
  async listSecretIds(type?: SecretType, connectorType?: ConnectorType): Promise<string[]> {
    if (type === undefined) return call(this.api.GET('/api/v1/secrets/ids', { params: { query: { connector_type: connectorType } } }));
    const ids: string[] = [];
    for await (const s of this.listSecrets({ connectorType })) if (s.scope === type) ids.push(s.id);
    return ids;
  }

  /** Metadata of every visible secret (or of the trash), fetched page by page as you iterate. */
  listSecrets(o: { connectorType?: ConnectorType; search?: string; pageSize?: number; trash?: boolean } = {}): AsyncGenerator<SecretMetadata> {
    const path = o.trash ? '/api/v1/secrets/trash' : '/api/v1/secrets';
    return pages((cursor) => call(this.api.GET(path, { params: { query: { connector_type: o.connectorType, q: o.search, limit: o.pageSize ?? 200, cursor } } })));
  }

  /** The value of a secret (every call is audited). With a type, checks the value has that type's fields. */
  getSecret(id: string, options?: { version?: number }): Promise<Record<string, string>>;
  getSecret<T extends ConnectorType>(id: string, type: T, options?: { version?: number }): Promise<SecretValues[T]>;
  async getSecret(id: string, typeOrOptions?: ConnectorType | { version?: number }, maybeOptions?: { version?: number }): Promise<Record<string, string>> {
    const type = typeof typeOrOptions === 'string' ? typeOrOptions : undefined;
    const options = typeof typeOrOptions === 'object' ? typeOrOptions : maybeOptions;
    const value = await call(this.api.GET('/api/v1/secrets/{id}/value', { params: { path: { id }, query: { version: options?.version } } }));
    if (type && type !== 'generic') {
      const missing = SECRET_FIELDS[type].required.filter((f) => typeof value[f] !== 'string');
      if (missing.length) throw new SecretTypeMismatchError(`Secret '${id}' is not a ${type} secret: it lacks ${missing.join(', ')}.`, 'sdk_type_mismatch', 0);
    }
    return value;
  }

  /** Metadata: type, scope, version, field names (never values), who uses it. */
  getSecretMetadata(id: string): Promise<SecretMetadata> {
    return call(this.api.GET('/api/v1/secrets/{id}', { params: { path: { id } } }));
  }

  async createSecret<T extends ConnectorType>(input: CreateSecretInput<T>): Promise<{ id: string; version: number }> {
    const r = await call(this.api.POST('/api/v1/secrets', {
      body: { secret_id: input.id, secret_value: input.value as Record<string, unknown>, secret_type: input.type, scope: input.scope, description: input.description },
    }));
    return { id: r.id, version: 1 };
  }

  /** Replaces the whole value, making a new version. */
  updateSecret(id: string, value: Record<string, string>, o: WriteOptions = {}): Promise<{ id: string; version: number }> {
    return call(this.api.PUT('/api/v1/secrets/{id}', { params: { path: { id }, header: ifMatch(o.version) }, body: { secret_value: value, description: o.description } }));
  }

  /** Changes some fields (null removes one) and/or the description, making a new version. */
  patchSecret(id: string, changes: Record<string, string | null> | undefined, o: WriteOptions = {}): Promise<{ id: string; version: number }> {
    return call(this.api.PATCH('/api/v1/secrets/{id}', { params: { path: { id }, header: ifMatch(o.version) }, body: { secret_value: changes, description: o.description } }));
  }

  /** Moves a secret to the trash; force: even if connectors use it; purge: for good (admin role). */
  deleteSecret(id: string, o: { force?: boolean; purge?: boolean } = {}): Promise<{ id: string; purged: boolean }> {
    return call(this.api.DELETE('/api/v1/secrets/{id}', { params: { path: { id }, query: { force: o.force ? 'true' : undefined, purge: o.purge ? 'true' : undefined } } }));
  }

  restoreSecret(id: string): Promise<SecretMetadata> {
    return call(this.api.POST('/api/v1/secrets/{id}/restore', { params: { path: { id } } }));
  }

  /** Versions, newest first (no values). */
  listVersions(id: string): Promise<SecretVersion[]> {
    return call(this.api.GET('/api/v1/secrets/{id}/versions', { params: { path: { id } } }));
  }

  /** Asks the provider whether the credential works (and opens the target, if given). Never returns the credential. */
  checkSecret<T extends keyof ConnectorTargets>(id: string, target?: Partial<ConnectorTargets[T]>): Promise<CheckResult> {
    return call(this.api.POST('/api/v1/secrets/{id}/check', { params: { path: { id } }, body: target ? { target: target as Record<string, unknown> } : {} }));
  }

  /** Connector types with their labels and fields, as the UI builds its forms. */
  connectorTypes(): Promise<ConnectorTypeInfo[]> {
    return call(this.api.GET('/api/v1/connector-types'));
  }
}

const ifMatch = (version: number | undefined) => (version === undefined ? undefined : { 'if-match': `"${version}"` });
