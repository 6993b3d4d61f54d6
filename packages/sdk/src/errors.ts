// Typed errors, one per thing a caller may want to handle, mapped from the API's stable error codes
// ({"error": {"code", "message", "details"}}). Messages come from the server, which never puts a
// secret value in them.

export interface FieldProblem {
  field: string;
  message: string;
}

export class CofferError extends Error {
  constructor(
    message: string,
    /** The API's error code (secret_not_found…), or sdk_* for failures on the client side. */
    readonly code: string,
    /** HTTP status; 0 when no answer arrived. */
    readonly status: number,
    readonly details?: unknown,
    /** x-request-id of the answer: quote it when asking an operator to look in the server log. */
    readonly requestId?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ConfigurationError extends CofferError {
  constructor(message: string) {
    super(message, 'sdk_configuration', 0);
  }
}

/** No answer: refused connection, DNS failure, reset. */
export class ConnectionError extends CofferError {}
export class TimeoutError extends CofferError {}

export class AuthenticationError extends CofferError {}
export class PermissionDeniedError extends CofferError {
  /** The permission that was missing, e.g. secrets/manage. */
  get permission(): string | undefined {
    return (this.details as { permission?: string } | undefined)?.permission;
  }
}

export class ValidationError extends CofferError {
  /** Every problem, by field (body.secret_value.region…). */
  get fields(): FieldProblem[] {
    return (this.details as { fields?: FieldProblem[] } | undefined)?.fields ?? [];
  }
}
export class PayloadTooLargeError extends ValidationError {}

export class NotFoundError extends CofferError {}
export class SecretNotFoundError extends NotFoundError {}
export class ConnectorNotFoundError extends NotFoundError {}
export class ObjectNotFoundError extends NotFoundError {}
/** SECRET_MANAGER_ENABLED=false on the server. */
export class SecretManagerDisabledError extends NotFoundError {}

export class ConflictError extends CofferError {}
export class SecretExistsError extends ConflictError {}
export class SecretInUseError extends ConflictError {
  get connectors(): { id: string; name: string }[] {
    return (this.details as { connectors?: { id: string; name: string }[] } | undefined)?.connectors ?? [];
  }
}
export class ConnectorExistsError extends ConflictError {}
export class ConnectorSecretMissingError extends ConflictError {}

/** The secret moved on since the version you passed (412). Read it again and retry. */
export class VersionConflictError extends CofferError {
  get currentVersion(): number | undefined {
    return (this.details as { current_version?: number } | undefined)?.current_version;
  }
}

export class RateLimitedError extends CofferError {
  constructor(message: string, code: string, status: number, details?: unknown, requestId?: string, readonly retryAfterSeconds?: number) {
    super(message, code, status, details, requestId);
  }
}
export class ServiceUnavailableError extends CofferError {}
/** The provider behind a connector refused or could not be reached; details.reason says which. */
export class ConnectorFailedError extends CofferError {
  get reason(): string | undefined {
    return (this.details as { reason?: string } | undefined)?.reason;
  }
}

type ErrorClass = new (message: string, code: string, status: number, details?: unknown, requestId?: string) => CofferError;

const BY_CODE: Record<string, ErrorClass> = {
  unauthenticated: AuthenticationError,
  invalid_credentials: AuthenticationError,
  permission_denied: PermissionDeniedError,
  csrf_failed: PermissionDeniedError,
  validation_error: ValidationError,
  invalid_json: ValidationError,
  unsupported_media_type: ValidationError,
  payload_too_large: PayloadTooLargeError,
  not_found: NotFoundError,
  secret_not_found: SecretNotFoundError,
  secret_manager_disabled: SecretManagerDisabledError,
  user_not_found: NotFoundError,
  role_not_found: NotFoundError,
  api_key_not_found: NotFoundError,
  connector_not_found: ConnectorNotFoundError,
  object_not_found: ObjectNotFoundError,
  secret_exists: SecretExistsError,
  secret_in_use: SecretInUseError,
  conflict: ConflictError,
  role_exists: ConflictError,
  role_builtin: ConflictError,
  user_exists: ConflictError,
  last_admin: ConflictError,
  connector_exists: ConnectorExistsError,
  connector_secret_missing: ConnectorSecretMissingError,
  version_mismatch: VersionConflictError,
  rate_limited: RateLimitedError,
  audit_unavailable: ServiceUnavailableError,
  unavailable: ServiceUnavailableError,
  connector_failed: ConnectorFailedError,
  internal_error: CofferError,
};

/** Codes the SDK knows; a test holds this list to the server's catalogue. */
export const KNOWN_ERROR_CODES = Object.keys(BY_CODE);

/** Seconds from a Retry-After header (delta-seconds or an HTTP date). */
export function retryAfterSeconds(h: string | null): number | undefined {
  if (!h) return undefined;
  if (/^\d+$/.test(h.trim())) return Number(h.trim());
  const at = Date.parse(h);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** The typed error for an answer that is not 2xx, from its (already parsed) body. */
export function errorFrom(r: Response, parsed: unknown): CofferError {
  const requestId = r.headers.get('x-request-id') ?? undefined;
  const body = (parsed && typeof parsed === 'object' ? parsed : undefined) as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined;
  const code = typeof body?.error?.code === 'string' ? body.error.code : `http_${r.status}`;
  const message = typeof body?.error?.message === 'string' ? body.error.message : `The server answered HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ''}.`;
  const details = body?.error?.details;
  if (code === 'rate_limited' || (r.status === 429 && !BY_CODE[code])) {
    return new RateLimitedError(message, code, r.status, details, requestId, retryAfterSeconds(r.headers.get('retry-after')));
  }
  const cls = BY_CODE[code] ?? (r.status === 503 ? ServiceUnavailableError : r.status === 404 ? NotFoundError : r.status === 401 ? AuthenticationError : r.status === 403 ? PermissionDeniedError : CofferError);
  return new cls(message, code, r.status, details, requestId);
}
