// One request generator per route family. Each mixes well-formed requests (so the fuzz gets past
// validation into the services) with every kind of malformed one.
import fc from 'fast-check';
import { anyJson, contentTypes, enc, extraHeaders, ifMatch, methods, nasty, query, rawBodies, segment, type Planted } from './pieces.js';

export type Caller = 'admin' | 'reader' | 'writer' | 'anonymous' | 'badkey' | 'session' | 'session-no-csrf';
export type Family = 'secrets' | 'users' | 'roles' | 'keys' | 'audit' | 'auth';

export interface Req {
  method: string;
  /** Under /api/v1, with its query string. */
  path: string;
  body?: string | Buffer;
  contentType?: string;
  headers: Record<string, string>;
  caller: Caller;
}

const callers = fc.oneof(
  { weight: 7, arbitrary: fc.constant<Caller>('admin') },
  { weight: 4, arbitrary: fc.constant<Caller>('reader') },
  { weight: 3, arbitrary: fc.constant<Caller>('writer') },
  { weight: 2, arbitrary: fc.constantFrom<Caller>('anonymous', 'badkey', 'session', 'session-no-csrf') },
);

/** A field that is usually right, sometimes of any type, sometimes absent (record drops it). */
const field = <T>(right: fc.Arbitrary<T>) => fc.oneof({ weight: 9, arbitrary: right }, { weight: 1, arbitrary: anyJson });
/** Mostly well-formed, so that requests get past validation into the services. */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: good }, { weight: 1, arbitrary: bad });

/** Bodies: the route's shape (with unknown keys now and then), any JSON, raw junk, nothing. */
function bodies(shape: fc.Arbitrary<Record<string, unknown>>) {
  const extra = fc.oneof({ weight: 5, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(nasty, anyJson, { maxKeys: 2 }) });
  const withExtra = fc.tuple(shape, extra).map(([s, x]) => ({ ...s, ...x }));
  return fc.oneof(
    { weight: 6, arbitrary: withExtra.map((b) => JSON.stringify(b)) },
    { weight: 1, arbitrary: anyJson.map((b) => JSON.stringify(b)) },
    { weight: 2, arbitrary: rawBodies },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

/** Usually every field present, sometimes any of them missing. */
function shaped<T extends Record<string, fc.Arbitrary<unknown>>>(model: T) {
  return fc.oneof({ weight: 3, arbitrary: fc.record(model) }, { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) }) as fc.Arbitrary<Record<string, unknown>>;
}
const s3Value = fc.record({ access_key_id: fc.stringMatching(/^AKIA[A-Z0-9]{4,16}$/), secret_access_key: nasty.filter((v) => v.trim() !== ''), region: fc.constantFrom('us-east-1', 'eu-west-1') });
const genericValue = fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), nasty.filter((v) => !v.includes('\u0000')), { minKeys: 1, maxKeys: 6 });
const secretValue = fc.oneof(
  s3Value,
  genericValue,
  fc.dictionary(nasty, mostly(nasty, anyJson), { minKeys: 1, maxKeys: 6 }),
  anyJson,
);
const secretType = fc.constantFrom('s3', 'azure_key', 'azure_sas', 'gcs', 'sharepoint_online', 'sharepoint_on_premise', 'confluence', 'generic', 'S3', 'nope');
const scope = mostly(fc.constantFrom('USER_SECRET', 'SYSTEM_SECRET'), fc.constantFrom('user_secret', 'ADMIN', ''));
const newId = fc.stringMatching(/^fz[A-Za-z0-9._-]{0,20}$/);
const createSecret = fc.oneof(
  // Well-formed: a valid value for its type, so that creates succeed and later calls find them.
  { weight: 2, arbitrary: fc.oneof(
    fc.record({ secret_id: newId, secret_type: fc.constant('s3'), secret_value: s3Value, scope, description: nasty }),
    fc.record({ secret_id: newId, secret_value: genericValue, scope }),
  ) as fc.Arbitrary<Record<string, unknown>> },
  { weight: 1, arbitrary: shaped({
    secret_id: field(mostly(newId, nasty)),
    secret_value: field(secretValue),
    secret_type: field(secretType),
    scope: field(scope),
    description: field(nasty),
  }) },
);
const updateSecret = shaped({ secret_value: field(mostly(fc.oneof(s3Value, genericValue), secretValue)), description: field(nasty) });
const email = fc.oneof(fc.stringMatching(/^[a-z0-9]{1,10}@[a-z]{1,8}\.example\.com$/), fc.stringMatching(/^[a-z0-9]{1,10}@[a-z]{1,8}\.example\.com$/), fc.emailAddress(), nasty, fc.constantFrom('admin@example.com', 'ADMIN@EXAMPLE.COM', 'victim@example.com', ' admin@example.com'));
const password = mostly(fc.string({ minLength: 12, maxLength: 40 }), fc.oneof(nasty, fc.constant('x'.repeat(300))));
const roleNames = fc.array(mostly(fc.constantFrom('admin', 'default', 'user', 'viewer', 'victim-role'), fc.oneof(fc.constant('no-such-role'), nasty)), { maxLength: 4 });
const permissionList = fc.array(mostly(fc.constantFrom('secrets/read', 'secrets/manage', 'roles/manage', 'audit/read'), nasty), { maxLength: 5 });

interface Route {
  weight?: number;
  method: fc.Arbitrary<string>;
  path: fc.Arbitrary<string>;
  body?: fc.Arbitrary<string | Buffer | undefined>;
}

const route = (method: string | string[], path: fc.Arbitrary<string>, body?: fc.Arbitrary<string | Buffer | undefined>): Route => ({
  // Mostly the route's own methods, sometimes any other.
  method: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...[method].flat()) }, { weight: 1, arbitrary: methods }),
  path,
  body,
});

const joined = (...parts: (string | fc.Arbitrary<string>)[]) =>
  fc.tuple(...parts.map((p) => (typeof p === 'string' ? fc.constant(p) : p))).map((xs) => xs.join(''));

function routes(family: Family, k: Planted): Route[] {
  const secret = segment(k.ids);
  const user = segment(k.userIds);
  const role = segment(k.roleIds);
  switch (family) {
    case 'secrets':
      return [
        route(['GET', 'POST'], joined('/secrets', query(['connector_type', 'q', 'limit', 'cursor'])), bodies(createSecret)),
        route('GET', joined('/secrets/ids', query(['connector_type']))),
        route('GET', joined('/secrets/trash', query(['connector_type', 'q', 'limit', 'cursor']))),
        route(['GET', 'PUT', 'PATCH', 'DELETE'], joined('/secrets/', secret, query(['force', 'purge'])), bodies(updateSecret)),
        // Where values are: most often hit, with the planted ids, by every kind of caller.
        { ...route('GET', joined('/secrets/', secret, '/value', query(['version']))), weight: 4 },
        route('GET', joined('/secrets/', secret, '/versions')),
        route('POST', joined('/secrets/', secret, '/restore')),
        route('GET', fc.constant('/connector-types')),
      ];
    case 'users':
      return [
        route(['GET', 'POST'], fc.constant('/users'), bodies(shaped({ email: field(email), password: field(password), roles: field(roleNames) }))),
        route(['PATCH', 'DELETE'], joined('/users/', user), bodies(shaped({ disabled: field(fc.boolean()), password: field(password) }))),
        route('PUT', joined('/users/', user, '/roles/', fc.oneof(roleNames.map((r) => r.map(enc).join(',')), segment(['default', 'viewer,user'])))),
        route('GET', fc.constantFrom('/users/current', '/users/current/permissions', '/users/current/roles')),
      ];
    case 'roles':
      return [
        route(['GET', 'POST'], fc.constant('/roles'), bodies(shaped({ name: field(mostly(fc.stringMatching(/^fuzz-[a-z0-9]{1,12}$/), fc.oneof(fc.constantFrom('admin', 'victim-role'), nasty))), description: field(nasty), permissions: field(permissionList) }))),
        route(['GET', 'PUT', 'DELETE'], joined('/roles/', role), bodies(shaped({ name: field(nasty), description: field(nasty), permissions: field(permissionList) }))),
        route(['PUT', 'DELETE'], joined('/roles/', role, '/permissions/', segment(['secrets%2Fread', 'audit%2Fread', 'roles%2Fmanage', 'secrets/read']))),
        route('GET', fc.constant('/permissions')),
      ];
    case 'keys':
      return [
        route(['GET', 'POST'], fc.constant('/users/current/api-keys'), bodies(shaped({ name: field(mostly(fc.stringMatching(/^[a-z]{1,20}$/), nasty)), expires_at: field(mostly(fc.date({ min: new Date('2030-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()), fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), nasty))) }))),
        route('DELETE', joined('/users/current/api-keys/', segment(k.keyIds))),
      ];
    case 'audit':
      return [
        route('GET', joined('/audit', query(['actor', 'action', 'target', 'since', 'until', 'limit', 'cursor']))),
        route('GET', joined('/audit/verify', query(['full']))),
      ];
    case 'auth':
      return [
        route('POST', fc.constant('/auth/login'), bodies(shaped({ email: field(email), password: field(fc.oneof(password, fc.constant('correct-horse-battery-staple'))) }))),
        route('POST', fc.constant('/auth/logout'), bodies(fc.constant({}))),
        route('GET', fc.constant('/auth/session')),
      ];
  }
}

export function requests(family: Family, planted: Planted): fc.Arbitrary<Req> {
  const one = fc.oneof(...routes(family, planted).map((r) => ({ weight: r.weight ?? 1, arbitrary:
    fc.record({
      method: r.method,
      path: r.path,
      body: r.body ?? fc.oneof({ weight: 5, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: rawBodies }),
      contentType: contentTypes,
      ifMatch: fc.option(ifMatch, { freq: 3 }),
      extra: fc.option(extraHeaders, { freq: 3 }),
      caller: callers,
    }) })));
  return one.map(({ ifMatch: im, extra, ...r }) => ({ ...r, headers: { ...(extra ?? {}), ...(im !== null ? { 'if-match': im } : {}) } }));
}
