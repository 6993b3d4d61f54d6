// pino with redaction of every credential we know of. Request bodies are never logged (Fastify
// does not log them, and no route does), so redaction is the second line, not the first.
import pino, { type DestinationStream, type Logger } from 'pino';
import { SENSITIVE_FIELD_NAMES } from './secrets/types/index.js';

const SENSITIVE = ['password', 'secret_value', 'key', 'token', 'csrf_token', 'authorization', 'cookie', ...SENSITIVE_FIELD_NAMES];

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  // Top level and one level down: what our log calls pass. Deeper wildcards made every log line
  // and every request's child logger walk each object for ~40 names.
  ...SENSITIVE.flatMap((f) => [f, `*.${f}`]),
];

export function createLogger(level: string, stream?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
}
