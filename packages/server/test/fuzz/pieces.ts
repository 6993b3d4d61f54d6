// Hostile building blocks for the fuzz: identifiers, strings, JSON bodies, content types, query
// strings and headers that clients should never send and attackers do.
import fc from 'fast-check';

/**
 * encodeURIComponent for any string: a lone surrogate, which it refuses, becomes the three bytes
 * it would have in UTF-8 (ill-formed), which is what a hostile client would send.
 */
export function enc(s: string): string {
  let out = '';
  for (const ch of s) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      const u = ch.charCodeAt(0);
      out += [0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
  }
  return out;
}

/** Strings with everything in them: any code point, lone surrogates, controls, bidi overrides. */
export const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', '\u202e', '\ufeff', '\r\n', '\t', '%00', '\\', '"', "'", '<script>', '${x}', '{{x}}', 'null', 'undefined', 'NaN', '-1', '1e999', '0x10', 'true', '[]', '{}'),
  fc.string({ minLength: 200, maxLength: 3000 }),
);

const traversal = fc.constantFrom('..', '../..', '..%2f..%2fusers', '%2e%2e', '%2e%2e%2f', '..%5c..', '....//', '.', '%2f', '//', '/api/v1/users', '%252e%252e', '..;/', '%c0%ae%c0%ae');

export interface Planted {
  /** Secret ids with canary values, and the other ids the fuzz should hit often. */
  ids: string[];
  userIds: string[];
  roleIds: string[];
  keyIds: string[];
}

/** A path segment: real ids, near misses, traversal, garbage; already encoded for a URL. */
export function segment(known: string[]) {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: fc.constantFrom(...known).chain((k) => fc.constantFrom(k.toUpperCase(), `${k}.`, `${k} `, `${k}%00`, `${k}/`, `${k}\u0130`, `${k}?x=1`, `%20${k}`)).map(enc) },
    { weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/) },
    { weight: 2, arbitrary: nasty.map(enc) },
    { weight: 1, arbitrary: traversal },
    { weight: 1, arbitrary: fc.constantFrom('ids', 'trash', 'current', 'value', 'versions', '%ZZ', '%', '%%', 'a'.repeat(3000)) },
  );
}

/** Query strings: the right names with wrong values, unknown names, repeats, junk. */
export function query(names: string[]) {
  const value = fc.oneof(
    fc.constantFrom('', '0', '-1', '1', '2', '500', '501', '1e3', '9007199254740993', '1.5', 'NaN', 'Infinity', 'true', 'false', '1,2', '[1]', '%ZZ', 'null'),
    fc.base64String({ maxLength: 60 }),
    fc.constantFrom('2026-01-01T00:00:00Z', '2026-13-45T99:99:99Z', '0000-00-00', '1970-01-01T00:00:00+99:00'),
    nasty.map(enc),
  );
  const pair = fc.tuple(fc.oneof(fc.constantFrom(...names), fc.constantFrom('__proto__', 'constructor', 'x', 'limit[]'), nasty.map(enc)), value).map(([k, v]) => `${k}=${v}`);
  return fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 3, arbitrary: fc.array(pair, { maxLength: 5 }).map((p) => (p.length ? `?${p.join('&')}` : '')) });
}

/** A value of any JSON type, for fields that expect one type. */
export const anyJson = fc.oneof(fc.jsonValue({ maxDepth: 3 }), nasty, fc.constantFrom(null, true, 0, -1, 1e308, [], {}));

/** Raw body texts that no JSON encoder would produce. */
export const rawBodies = fc.oneof(
  fc.integer({ min: 1, max: 60_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 20_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.integer({ min: 256 * 1024, max: 300 * 1024 }).map((n) => JSON.stringify({ secret_id: 'big', secret_value: { k: 'x'.repeat(n) } })),
  fc.constantFrom(
    '', '{', '{"a":', 'null', '[]', '""', '1', 'true', '\ufeff{}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"admin":true}}}',
    '{"secret_id":"dup","secret_id":"dup2","secret_value":{"a":"b"},"secret_value":{"c":"d"}}',
    '{"email":"a@b.c","email":"admin@example.com","password":"x","password":"y"}',
    '{"a":"\\ud800"}', '{"a":"\\u0000"}', '{"a":1e999}', '{"a":-0}', "{'a':1}", '{"a":1,}', 'NaN',
  ),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
);

export const contentTypes = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=utf-16', 'application/json; charset=latin1',
      'text/plain', 'text/html', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml',
      'application/json-patch+json', 'application/octet-stream', '*/*', 'json', 'application/json;;;', `application/json; x=${'a'.repeat(2000)}`,
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

/** Header values a socket can carry (visible ASCII); other bytes never get past Node's parser. */
const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 });

export const ifMatch = fc.oneof(fc.constantFrom('*', '"1"', '1', 'W/"1"', '"2"', '0', '-1', '99999999999', '"', '""', 'abc', ' 1 ', '"1", "2"', '1'.repeat(41)), headerText);

/** Extra headers: smuggling shapes, spoofed proxies and ids, odd cookies, junk. */
export const extraHeaders = fc.dictionary(
  fc.constantFrom('x-forwarded-for', 'x-forwarded-proto', 'x-request-id', 'x-csrf-token', 'cookie', 'accept', 'accept-encoding', 'origin', 'host', 'user-agent', 'x-http-method-override', 'range', 'expect', 'content-encoding'),
  fc.oneof(headerText, fc.constantFrom('coffer_session=x', `coffer_session=${'a'.repeat(4000)}`, 'coffer_session=a; coffer_session=b', '127.0.0.1', 'https', 'gzip', '100-continue', 'bytes=0-1', 'DELETE', 'null')),
  { maxKeys: 3 },
);

export const methods = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE') },
  { weight: 1, arbitrary: fc.constantFrom('HEAD', 'OPTIONS', 'TRACE', 'PROPFIND', 'CONNECT') },
);
