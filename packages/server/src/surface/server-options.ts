// How the server meets the network: optional TLS, limits on header size, timeouts against slow
// clients, which proxies to believe, and the answer to a request that is not even valid HTTP.
import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Config } from '../config.js';

/** Node's own default, made explicit: a request whose headers exceed it gets 431. */
export const MAX_HEADER_BYTES = 16 * 1024;

type Net = Pick<Config, 'tls' | 'requestTimeoutSeconds' | 'headersTimeoutSeconds' | 'trustedProxies'>;

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'The request did not arrive in time.'],
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', `The request headers are larger than ${MAX_HEADER_BYTES / 1024} KiB.`],
};

/**
 * Node reports malformed, oversized or too slow requests here, before Fastify sees a request.
 * Fastify's default answer has another shape; this one is the catalogue's, then the socket closes.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'validation_error', 'The request is not valid HTTP.'];
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }
  socket.destroy();
}

/** The part of Fastify's options that concerns sockets. */
export function serverOptions(c: Net) {
  const requestMs = c.requestTimeoutSeconds * 1000;
  const headersMs = c.headersTimeoutSeconds * 1000;
  const node = {
    maxHeaderSize: MAX_HEADER_BYTES,
    // Slowloris: a client that dribbles its headers or body is cut off with 408 when time is up.
    headersTimeout: headersMs,
    requestTimeout: requestMs,
    // Node checks those timeouts every 30 s by default, which would let a slow client stay that long.
    connectionsCheckingInterval: Math.max(250, Math.min(headersMs, requestMs) / 4),
  };
  return {
    ...(c.tls
      ? { https: { ...node, cert: c.tls.cert, key: c.tls.key, minVersion: 'TLSv1.2' as const, handshakeTimeout: headersMs } }
      : { http: node }),
    // Fastify sets these on the server after creating it (its requestTimeout default is 0: none).
    requestTimeout: requestMs,
    // A socket with no traffic either way for this long is closed (a client that stopped reading).
    connectionTimeout: 2 * requestMs,
    // Without trusted proxies, X-Forwarded-* are ignored: any client could claim any address.
    trustProxy: c.trustedProxies.length > 0 ? [...c.trustedProxies] : false,
    clientErrorHandler,
  };
}

/**
 * Node answers an Expect header other than 100-continue with its own bare 417. The standard lets
 * a server ignore such an expectation instead, so the request goes through the app like any
 * other: with its security headers and, if refused, an answer in the catalogue's shape.
 */
export function ignoreUnknownExpectations(server: Server): void {
  server.on('checkExpectation', (req, res) => server.emit('request', req, res));
}
