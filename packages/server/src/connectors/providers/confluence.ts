// Confluence (Cloud: email + API token; Data Center: user + password) through its REST API with
// Basic authentication. Documents are the pages of one space, served as storage-format HTML.
import { Readable } from 'node:stream';
import { basicAuth, decodeCursor, encodeCursor, json, request, statusFailure } from './http.js';
import { ObjectMissing, ProviderFailure, type Provider, type Target, type Value } from './types.js';

const WHAT = 'Confluence';

function connect(v: Value, t: Target | undefined, timeoutMs: number) {
  const base = (t?.base_url ?? v.base_url)!.replace(/\/+$/, '');
  const headers = { authorization: basicAuth(v.username!, v.password!), accept: 'application/json' };
  return async (path: string): Promise<Response> => {
    const r = await request(WHAT, `${base}/rest/api/${path}`, { headers, redirect: 'manual' }, timeoutMs);
    // Too many failed sign-ins: Confluence wants a CAPTCHA and refuses Basic until someone signs in by hand.
    if (r.headers.get('x-seraph-loginreason')?.includes('AUTHENTICATION_DENIED')) {
      throw new ProviderFailure('invalid_credentials', 'Confluence asks for a CAPTCHA after failed sign-ins; sign in once in a browser, then check again.', 'AUTHENTICATION_DENIED');
    }
    if (r.status >= 300 && r.status < 400) throw new ProviderFailure('provider_error', 'Confluence redirected the request; check the base URL (Cloud sites end in /wiki).', `HTTP ${r.status}`);
    if (!r.ok && r.status !== 404) throw statusFailure(WHAT, r.status, { invalid_credentials: 'Confluence refused the user name and password or API token.', no_access: 'The user signed in but may not use the REST API.' });
    return r;
  };
}

async function space(get: ReturnType<typeof connect>, key: string): Promise<void> {
  const r = await get(`space/${encodeURIComponent(key)}`);
  // Confluence hides spaces a user may not see: both cases answer 404.
  if (r.status === 404) throw new ProviderFailure('target_not_found', `The space '${key}' does not exist or this user may not see it.`, 'HTTP 404');
}

export const confluenceProvider: Provider = {
  async check(v, target, o) {
    const get = connect(v, target, o.timeoutMs);
    const r = await get('user/current');
    if (r.status === 404) throw new ProviderFailure('provider_error', 'There is no Confluence REST API at this base URL (Cloud sites end in /wiki).', 'HTTP 404');
    const me = await json<{ type?: string }>(WHAT, r);
    // Confluence answers an unauthenticated caller as the anonymous user when the site allows it.
    if (me.type === 'anonymous') throw new ProviderFailure('invalid_credentials', 'Confluence treated the request as anonymous: the credentials were not accepted.', 'anonymous');
    if (!target) return 'Confluence accepted the credentials.';
    await space(get, target.space!);
    return `Confluence accepted the credentials and the user may see the space ${target.space}.`;
  },

  async list(v, target, q, o) {
    if (q.prefix) throw new ProviderFailure('provider_error', 'Confluence connectors list the pages of a space; prefix is not supported.');
    const get = connect(v, target, o.timeoutMs);
    await space(get, target.space!);
    const start = Number(decodeCursor(q.cursor) ?? 0) || 0;
    const r = await json<{ results: { id: string; title: string; version?: { when?: string } }[]; size: number; _links?: { next?: string } }>(WHAT,
      await get(`content?spaceKey=${encodeURIComponent(target.space!)}&type=page&start=${start}&limit=${q.limit}&expand=version`));
    return {
      items: r.results.map((p) => ({ key: p.id, name: p.title, size: null, modified_at: p.version?.when ?? null, folder: false })),
      next_cursor: r._links?.next ? encodeCursor(String(start + r.results.length)) : null,
    };
  },

  async read(v, target, key, o) {
    if (!/^\d{1,20}$/.test(key)) throw new ObjectMissing(key);
    const get = connect(v, target, o.timeoutMs);
    const r = await get(`content/${key}?expand=body.storage,space`);
    if (r.status === 404) throw new ObjectMissing(key);
    const page = await json<{ title: string; space?: { key?: string }; body?: { storage?: { value?: string } } }>(WHAT, r);
    // A page id from another space is outside this connector's target.
    if (page.space?.key !== target.space) throw new ObjectMissing(key);
    const html = Buffer.from(page.body?.storage?.value ?? '', 'utf8');
    return { body: Readable.from([html]), name: `${page.title}.html`, contentType: 'text/html; charset=utf-8', size: html.length };
  },
};
