// What every remote command shares: the SDK client made from the same settings as the SDK's
// (SECRET_MANAGER_URL, SECRET_MANAGER_API_KEY), and one mapping from errors to messages and exit
// codes, so scripts can tell "not found" from "not allowed" from "server down".
import {
  AuthenticationError, CofferError, ConfigurationError, ConflictError, ConnectionError, NotFoundError, PermissionDeniedError, SecretManagerFactory, ServiceUnavailableError,
  TimeoutError, ValidationError, VersionConflictError, type SecretManager,
} from '@coffer/sdk';

export const EXIT = {
  ok: 0,
  /** The server refused the request, or a check or verification failed. */
  failed: 1,
  /** Bad usage or settings: fix the command line or the environment. */
  usage: 2,
  /** No or bad API key (401), or a missing permission (403). */
  denied: 3,
  notFound: 4,
  /** Exists already, in use, or changed meanwhile (409, 412). */
  conflict: 5,
  /** The server could not be reached, timed out or is unavailable: try again later. */
  unavailable: 6,
} as const;

/** A problem with the command line itself. */
export class UsageError extends Error {}

export function client(): SecretManager {
  return SecretManagerFactory.create();
}

export function exitCodeOf(e: unknown): number {
  if (e instanceof UsageError || e instanceof ConfigurationError) return EXIT.usage;
  if (e instanceof AuthenticationError || e instanceof PermissionDeniedError) return EXIT.denied;
  if (e instanceof NotFoundError) return EXIT.notFound;
  if (e instanceof ConflictError || e instanceof VersionConflictError) return EXIT.conflict;
  if (e instanceof ConnectionError || e instanceof TimeoutError || e instanceof ServiceUnavailableError || (e instanceof CofferError && e.status >= 500)) return EXIT.unavailable;
  return EXIT.failed;
}

export function describeError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  // A validation message already lists the fields; one per line reads better.
  const fields = e instanceof ValidationError ? e.fields : [];
  const lines = fields.length ? ['the server refused the request:', ...fields.map((f) => `  ${f.field}: ${f.message}`)] : [e.message];
  if (e instanceof CofferError && e.status >= 500 && e.requestId) lines.push(`  (request id ${e.requestId}: quote it to your operator)`);
  return lines.join('\n');
}

/** Runs a command's body; on error prints one clear message and sets the exit code. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.stderr.write(`coffer: ${describeError(e)}\n`);
      process.exitCode = exitCodeOf(e);
    }
  };
}
