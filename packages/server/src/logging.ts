// pino with redaction of every credential we know of. Request bodies are never logged (Fastify
// does not log them, and no route does), so redaction is the second line, not the first.
import type { FastifyBaseLogger } from 'fastify';
import pino, { type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger } from 'pino';
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

type Method = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * A request's logger, made a pino child (bound to the request id) only when the request logs
 * something at a level that is on. Making the child runs redaction over its bindings: a few
 * percent of a value read, for a logger that at level warn almost never writes.
 */
export class RequestLogger {
  private made?: FastifyBaseLogger;

  constructor(private readonly parent: FastifyBaseLogger, private readonly bindings: Bindings) {}

  private get real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings));
  }

  private write(method: Method, args: unknown[]): void {
    // Without a logger (buildApp with none) Fastify's stand-in has no isLevelEnabled: it drops all.
    const enabled = (this.parent as Partial<Logger>).isLevelEnabled;
    if (this.made || typeof enabled !== 'function' || enabled.call(this.parent, method)) (this.real[method] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return (this.made ?? this.parent).level;
  }

  set level(level: string) {
    this.real.level = level;
  }

  fatal(...args: unknown[]): void { this.write('fatal', args); }
  error(...args: unknown[]): void { this.write('error', args); }
  warn(...args: unknown[]): void { this.write('warn', args); }
  info(...args: unknown[]): void { this.write('info', args); }
  debug(...args: unknown[]): void { this.write('debug', args); }
  trace(...args: unknown[]): void { this.write('trace', args); }
  silent(): void {}
  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.real.child(bindings, options);
  }
}
