// Connectors: named uses of a secret on a target. With connectors/use a service reads documents
// through Coffer without ever holding the credential.
import { call, pages, type Api } from './api.js';
import { errorFrom } from './errors.js';
import type { CheckResult, ConnectableType, Connector, ConnectorObject, ConnectorTargets } from './types.js';

export interface CreateConnectorInput<T extends ConnectableType = ConnectableType> {
  /** Generated when absent. */
  id?: string;
  name: string;
  type: T;
  secret_id: string;
  target: ConnectorTargets[T];
}

export interface ObjectDownload {
  body: ReadableStream<Uint8Array>;
  name: string;
  contentType: string;
  size: number | null;
}

export class ConnectorsApi {
  constructor(private readonly api: Api) {}

  list(o: { type?: ConnectableType; secretId?: string; pageSize?: number } = {}): AsyncGenerator<Connector> {
    return pages((cursor) => call(this.api.GET('/api/v1/connectors', { params: { query: { type: o.type, secret_id: o.secretId, limit: o.pageSize ?? 200, cursor } } })));
  }

  get(id: string): Promise<Connector> {
    return call(this.api.GET('/api/v1/connectors/{id}', { params: { path: { id } } }));
  }

  create<T extends ConnectableType>(input: CreateConnectorInput<T>): Promise<Connector> {
    return call(this.api.POST('/api/v1/connectors', { body: { ...input, target: input.target as Record<string, unknown> } }));
  }

  update(id: string, changes: { name?: string; secret_id?: string; target?: Record<string, string> }): Promise<Connector> {
    return call(this.api.PATCH('/api/v1/connectors/{id}', { params: { path: { id } }, body: changes }));
  }

  async delete(id: string): Promise<void> {
    await call(this.api.DELETE('/api/v1/connectors/{id}', { params: { path: { id } } }));
  }

  check(id: string): Promise<CheckResult> {
    return call(this.api.POST('/api/v1/connectors/{id}/check', { params: { path: { id } } }));
  }

  /** What the connector can read under its target (prefix: relative to it), page by page. */
  listObjects(id: string, o: { prefix?: string; pageSize?: number } = {}): AsyncGenerator<ConnectorObject> {
    return pages((cursor) => call(this.api.GET('/api/v1/connectors/{id}/objects', { params: { path: { id }, query: { prefix: o.prefix, limit: o.pageSize ?? 200, cursor } } })));
  }

  /** One document as a stream; the caller must read or cancel the body. */
  async getObject(id: string, key: string): Promise<ObjectDownload> {
    const r = await this.api.GET('/api/v1/connectors/{id}/objects/{key}', { params: { path: { id, key } }, parseAs: 'stream' });
    // openapi-fetch has already read and parsed an error answer's body.
    if (!r.response.ok) throw errorFrom(r.response, r.error);
    const h = r.response.headers;
    const name = /filename\*=UTF-8''([^;]+)/.exec(h.get('content-disposition') ?? '')?.[1];
    return {
      body: r.response.body ?? new ReadableStream(),
      name: name ? decodeURIComponent(name) : key.split('/').pop()!,
      contentType: h.get('content-type') ?? 'application/octet-stream',
      size: h.has('content-length') ? Number(h.get('content-length')) : null,
    };
  }

  /** One document, read whole. */
  async readObject(id: string, key: string): Promise<Uint8Array> {
    const o = await this.getObject(id, key);
    return new Uint8Array(await new Response(o.body).arrayBuffer());
  }
}
