// The error catalogue: every error a client can see has a stable code and status here.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';

export const CATALOGUE = {
  validation_error: 400,
  invalid_json: 400,
  unauthenticated: 401,
  invalid_credentials: 401,
  permission_denied: 403,
  csrf_failed: 403,
  not_found: 404,
  secret_not_found: 404,
  secret_manager_disabled: 404,
  user_not_found: 404,
  role_not_found: 404,
  api_key_not_found: 404,
  connector_not_found: 404,
  object_not_found: 404,
  secret_exists: 409,
  secret_in_use: 409,
  conflict: 409,
  role_exists: 409,
  role_builtin: 409,
  user_exists: 409,
  last_admin: 409,
  connector_exists: 409,
  /** The connector's secret is in the trash or purged: nothing to open the target with. */
  connector_secret_missing: 409,
  version_mismatch: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  audit_unavailable: 503,
  unavailable: 503,
  internal_error: 500,
  /** The provider refused or could not be reached; details.reason says which (never a credential). */
  connector_failed: 502,
} as const;

export type ErrorCode = keyof typeof CATALOGUE;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = CATALOGUE[code];
  }
}

export const SecretNotFound = (id: string) => new AppError('secret_not_found', `Secret '${id}' was not found.`);
export const PermissionDenied = (permission: string) =>
  new AppError('permission_denied', `This action requires the '${permission}' permission.`, { permission });
export const Unauthenticated = () =>
  new AppError('unauthenticated', 'Sign in or send an API key in the Authorization header (Bearer).');

export interface FieldProblem {
  field: string;
  message: string;
}

export const ValidationFailed = (problems: FieldProblem[]) =>
  new AppError(
    'validation_error',
    `Invalid request: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    { fields: problems },
  );

interface ZodValidationIssue {
  keyword?: string;
  instancePath?: string;
  message?: string;
  params?: { keys?: string[] };
}

const CONTEXT_NAMES: Record<string, string> = { querystring: 'query', body: 'body', params: 'params', headers: 'headers' };

/** Fastify's zod validation errors → our per-field list. Never includes the offending value. */
function zodProblems(err: FastifyError): FieldProblem[] {
  const ctx = (err as { validationContext?: string }).validationContext ?? 'body';
  const where = CONTEXT_NAMES[ctx] ?? ctx;
  return ((err.validation ?? []) as ZodValidationIssue[]).flatMap((v) => {
    const path = (v.instancePath ?? '').split('/').filter(Boolean);
    const base = [where, ...path].join('.');
    if (v.keyword === 'unrecognized_keys' && v.params?.keys) {
      return v.params.keys.map((k) => ({ field: `${base}.${k}`, message: 'unknown field' }));
    }
    return [{ field: base, message: v.message ?? 'invalid' }];
  });
}

type Send = (req: FastifyRequest, reply: FastifyReply, e: AppError) => FastifyReply;

export const sendError: Send = (_req, reply, e) => {
  if (e.headers) reply.headers(e.headers);
  const body: { error: { code: string; message: string; details?: unknown } } = {
    error: { code: e.code, message: e.message },
  };
  if (e.details !== undefined) body.error.details = e.details;
  return reply.code(e.status).type('application/json; charset=utf-8').send(body);
};

/** Maps anything thrown to the catalogue; unknown errors become a bare 500 with no internals. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (typeof err !== 'object' || err === null) return new AppError('internal_error', 'Internal error.');
  const fe = err as FastifyError;
  if (hasZodFastifySchemaValidationErrors(fe)) return ValidationFailed(zodProblems(fe));
  if (isResponseSerializationError(fe)) return new AppError('internal_error', 'Internal error.');
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', 'The body is empty; send a JSON object.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_json', 'The body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('validation_error', 'Content-Length does not match the body.');
  }
  if (fe instanceof SyntaxError && fe.statusCode === 400) return new AppError('invalid_json', 'The body is not valid JSON.');
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413) return new AppError('payload_too_large', 'The request is too large.');
    if (fe.statusCode === 415) return new AppError('unsupported_media_type', 'Unsupported content type.');
    if (fe.statusCode === 429) return new AppError('rate_limited', 'Too many requests.');
    return new AppError('validation_error', 'The request is malformed.');
  }
  return new AppError('internal_error', 'Internal error.');
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const e = toAppError(err);
    if (e.status >= 500) {
      // Log the class and code only: a driver error message can quote SQL parameters.
      req.log.error({ errName: (err as Error)?.name, errCode: (err as FastifyError)?.code, stack: (err as Error)?.stack?.split('\n').slice(1, 6).join('\n') }, 'request failed');
    }
    return sendError(req, reply, e);
  });
  app.setNotFoundHandler((req, reply) =>
    sendError(req, reply, new AppError('not_found', `No route ${req.method} ${req.url.split('?')[0]}.`)),
  );
}
