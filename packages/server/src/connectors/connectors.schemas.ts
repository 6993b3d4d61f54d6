// Request and response shapes of the connectors API. Answers describe a connector and what it
// opens; no schema here has a place for a credential, so none can leak through one.
import { z } from 'zod';
import { SecretId } from '../secrets/secrets.schemas.js';
import { SECRET_ID } from '../secrets/secrets.service.js';
import { CONNECTOR_TYPES } from './providers/index.js';
import { FAILURE_REASONS } from './providers/types.js';

export const ConnectorId = z.string().regex(SECRET_ID, 'must start with a letter or digit and contain only letters, digits, . _ - (at most 128 characters)');
export const ConnectorParams = z.object({ id: ConnectorId });
export const ConnectorType = z.enum(CONNECTOR_TYPES).describe('The secret type it uses (generic secrets cannot back a connector)');

const TargetIn = z
  .record(z.string().max(64), z.unknown())
  .describe('What the credential opens. s3, gcs: {bucket, prefix?}; azure_key, azure_sas: {container, prefix?, endpoint_url?}; sharepoint_online, sharepoint_on_premise: {library, folder?}; confluence: {space, base_url?}');

export const CreateConnector = z
  .object({
    id: ConnectorId.optional().describe('Chosen by the creator; generated when absent'),
    name: z.string().trim().min(1).max(200),
    type: ConnectorType,
    secret_id: SecretId,
    target: TargetIn,
  })
  .strict()
  .meta({ id: 'CreateConnector' });

export const PatchConnector = z
  .object({ name: z.string().trim().min(1).max(200).optional(), secret_id: SecretId.optional(), target: TargetIn.optional() })
  .strict()
  .meta({ id: 'PatchConnector' });

export const Connector = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.string(),
    secret_id: z.string(),
    target: z.record(z.string(), z.string()),
    created_at: z.string(),
    created_by: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Connector' });

export const ConnectorList = z.object({ items: z.array(Connector), next_cursor: z.string().nullable() }).meta({ id: 'ConnectorList' });

export const ListConnectorsQuery = z
  .object({
    type: ConnectorType.optional(),
    secret_id: SecretId.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(400).optional().describe('next_cursor of the previous page'),
  })
  .strict();

export const CheckReason = z.enum(['ok', ...FAILURE_REASONS, 'secret_missing']);

export const CheckResult = z
  .object({
    ok: z.boolean(),
    reason: CheckReason.describe('ok, or why not: invalid_credentials, expired, no_access, target_not_found, unreachable, provider_error, secret_missing'),
    message: z.string().describe('What was proved or what went wrong; never a credential'),
    provider_code: z.string().nullable().describe("The provider's own error code, e.g. SignatureDoesNotMatch or AADSTS7000215"),
    secret_id: z.string(),
    secret_version: z.number().int().nullable(),
    checked_at: z.string(),
    duration_ms: z.number().int(),
  })
  .meta({ id: 'CheckResult' });

export const SecretCheckBody = z
  .object({ target: TargetIn.optional().describe('Also check access to this target; the same fields as a connector of the secret’s type') })
  .strict()
  .meta({ id: 'SecretCheck' });

export const ObjectsQuery = z
  .object({
    prefix: z.string().max(1024).default('').describe('Relative to the connector’s target (a key prefix, or a folder for SharePoint)'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(4000).optional().describe('next_cursor of the previous page'),
  })
  .strict();

export const ObjectItem = z
  .object({ key: z.string().describe('Relative to the target: GET …/objects/{key} reads it'), name: z.string(), size: z.number().nullable(), modified_at: z.string().nullable(), folder: z.boolean() })
  .meta({ id: 'ConnectorObject' });

export const ObjectList = z.object({ items: z.array(ObjectItem), next_cursor: z.string().nullable() }).meta({ id: 'ConnectorObjectList' });

export const ObjectParams = z.object({ id: ConnectorId, key: z.string().min(1).max(1024).describe('The object key, URL-encoded as one path segment') });
