// Raw HTTP/1.1 requests with header abuse that app.inject() cannot express: bytes outside ASCII,
// NUL and DEL, obsolete line folding, missing colons, repeated and conflicting framing headers,
// thousands of headers, very long lines. Each request is complete and asks to close, so every
// answer arrives without waiting for a timeout.
import fc from 'fast-check';
import type { Caller } from './families.js';
import type { Planted } from './pieces.js';

export interface RawRequest {
  method: string;
  path: string;
  caller: Caller;
  build: (auth: Record<string, string>) => Buffer;
}

const bytes = (min: number, max: number, maxLength: number) =>
  fc.array(fc.integer({ min, max }), { maxLength }).map((b) => Buffer.from(b).toString('latin1'));

const name = fc.oneof(
  fc.constantFrom('X-Test', 'Host', 'Content-Length', 'Transfer-Encoding', 'Authorization', 'Cookie', 'If-Match', 'Content-Type', 'X-Forwarded-For', 'Expect', 'Upgrade'),
  bytes(0x21, 0x7e, 20).filter((s) => s.length > 0 && !s.includes(':')),
  bytes(0x00, 0xff, 12),
);

const value = fc.oneof(
  fc.constantFrom('0', '5', '-1', 'chunked', 'gzip, chunked', 'identity', '100-continue', 'websocket', 'Bearer', 'Bearer  x', '"1"', 'W/"1"', ''),
  bytes(0x20, 0x7e, 200),
  bytes(0x00, 0xff, 60),
  fc.integer({ min: 1000, max: 20_000 }).map((n) => 'v'.repeat(n)),
);

/** Extra lines between the request line and the blank line. */
const lines = fc.array(fc.oneof(
  { weight: 8, arbitrary: fc.tuple(name, value).map(([n, v]) => `${n}: ${v}`) },
  { weight: 1, arbitrary: value.map((v) => ` ${v}`) }, // obsolete folding of the previous line
  { weight: 1, arbitrary: name }, // no colon
  { weight: 1, arbitrary: fc.integer({ min: 100, max: 3000 }).map((n) => Array.from({ length: n }, (_, i) => `X-${i}: y`).join('\r\n')) },
), { maxLength: 6 });

export function rawRequests(planted: Planted): fc.Arbitrary<RawRequest> {
  const paths = fc.constantFrom('/healthz', '/api/v1/users/current', '/api/v1/secrets', ...planted.ids.flatMap((id) => [`/api/v1/secrets/${id}`, `/api/v1/secrets/${id}/value`]));
  return fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'get', 'G\u00c9T'),
    path: paths,
    caller: fc.constantFrom<Caller>('admin', 'reader', 'anonymous', 'session'),
    extra: lines,
    body: fc.oneof(fc.constant(''), fc.constant('{"a":"b"}')),
  }).map(({ method, path, caller, extra, body }) => ({
    method, path, caller,
    build: (auth: Record<string, string>) => Buffer.from([
      `${method} ${path} HTTP/1.1`, 'Host: fuzz',
      ...Object.entries(auth).map(([k, v]) => `${k}: ${v}`),
      ...extra,
      ...(body ? ['Content-Type: application/json', `Content-Length: ${body.length}`] : []),
      'Connection: close', '', body,
    ].join('\r\n'), 'latin1'),
  }));
}
