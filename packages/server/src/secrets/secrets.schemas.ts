// Request and response shapes of the secrets API (SPEC section 3). Response schemas strip anything
// undeclared, so a value cannot reach a metadata answer by accident.
import { z } from 'zod';
import { SECRET_TYPE_NAMES } from './types/index.js';
import { SECRET_ID } from './secrets.service.js';

const idMessage = 'must start with a letter or digit and contain only letters, digits, . _ - (at most 128 characters)';
export const SecretId = z.string().regex(SECRET_ID, idMessage);
export const IdParams = z.object({ id: SecretId });
export const Scope = z.enum(['USER_SECRET', 'SYSTEM_SECRET']);
export const SecretTypeName = z.enum(SECRET_TYPE_NAMES);

/** Field values are checked against the connector type by the service, which lists every problem. */
const ValueObject = z.record(z.string(), z.unknown()).describe('Flat JSON object of string fields, validated against secret_type');

export const CreateBody = z
  .object({
    secret_id: SecretId,
    secret_value: ValueObject,
    secret_type: SecretTypeName.optional().describe('Connector type; generic when absent'),
    scope: Scope.optional().describe('USER_SECRET (default) or SYSTEM_SECRET'),
    description: z.string().max(1000).optional(),
  })
  .strict()
  .meta({ id: 'CreateSecret' });

export const UpdateBody = z
  .object({
    secret_value: ValueObject,
    description: z.string().max(1000).optional(),
  })
  .strict()
  .meta({ id: 'UpdateSecret' });

export const PatchBody = z
  .object({
    secret_value: z.record(z.string(), z.union([z.string(), z.null()])).optional().describe('Fields to set; null removes a field; absent fields keep their value'),
    description: z.string().max(1000).optional(),
  })
  .strict()
  .meta({ id: 'PatchSecret' });

export const IfMatchHeaders = z.object({
  'if-match': z.string().max(40).optional().describe('The version last read: N or "N" (the ETag of metadata answers)'),
});

export const IdsQuery = z.object({ connector_type: SecretTypeName.optional() }).strict();

export const ListQuery = z
  .object({
    connector_type: SecretTypeName.optional(),
    q: z.string().max(128).optional().describe('Case-insensitive substring of the id or description'),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(400).optional().describe('next_cursor of the previous page'),
  })
  .strict();

export const ValueQuery = z.object({ version: z.coerce.number().int().min(1).max(2 ** 31).optional() }).strict();

const boolParam = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
export const DeleteQuery = z
  .object({
    force: boolParam.optional().describe('Delete even if connectors use the secret'),
    purge: boolParam.optional().describe('Remove for good, including all versions (admin role)'),
  })
  .strict();

export const Connectorref = z.object({ id: z.string(), name: z.string() });

export const SecretMetadata = z
  .object({
    id: z.string(),
    secret_type: z.string(),
    scope: Scope,
    description: z.string(),
    owner: z.string(),
    version: z.number().int(),
    fields: z.array(z.string()).describe('Field names of the current version; never values'),
    created_at: z.string(),
    created_by: z.string(),
    updated_at: z.string(),
    updated_by: z.string(),
    deleted_at: z.string().nullable(),
    used_by: z.array(Connectorref),
  })
  .meta({ id: 'SecretMetadata' });

export const SecretList = z.object({ items: z.array(SecretMetadata), next_cursor: z.string().nullable() }).meta({ id: 'SecretList' });
export const SecretValue = z.record(z.string(), z.string()).meta({ id: 'SecretValue' });
export const IdAnswer = z.object({ id: z.string() });
export const IdVersionAnswer = z.object({ id: z.string(), version: z.number().int() });
export const VersionList = z.array(
  z.object({ version: z.number().int(), fields: z.array(z.string()), created_at: z.string(), created_by: z.string() }),
).meta({ id: 'SecretVersions' });

const Field = z.object({
  name: z.string(),
  label: z.string(),
  required: z.boolean(),
  sensitive: z.boolean(),
  input: z.enum(['text', 'textarea', 'url']),
  help: z.string().optional(),
});
export const ConnectorTypes = z
  .array(z.object({ type: z.string(), label: z.string(), fields: z.array(Field), open_keys: z.string().nullable().describe('For generic: the pattern any field name must match') }))
  .meta({ id: 'ConnectorTypes' });

/** `If-Match: 3`, `"3"` or `W/"3"`; `*` means any version. */
export function parseIfMatch(h: string | undefined): number | undefined | 'invalid' {
  if (h === undefined || h.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,10})"?\s*$/.exec(h);
  return m ? Number(m[1]) : 'invalid';
}
