import { z } from 'zod';

const time = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' });

export const AuditQueryString = z
  .object({
    actor: z.string().max(254).optional(),
    action: z.string().max(64).optional(),
    target: z.string().max(300).optional(),
    since: time.optional().transform((v) => (v ? new Date(v).toISOString() : undefined)),
    until: time.optional().transform((v) => (v ? new Date(v).toISOString() : undefined)),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional().describe('next_cursor of the previous page'),
  })
  .strict();

export const AuditEntry = z
  .object({
    seq: z.number().int(),
    at: z.string(),
    actor: z.string(),
    action: z.string(),
    target: z.string(),
    outcome: z.enum(['allowed', 'denied', 'failed']),
    client_ip: z.string(),
    user_agent: z.string(),
    request_id: z.string(),
    details: z.record(z.string(), z.unknown()),
    prev_hash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEntry' });

export const AuditPage = z.object({ items: z.array(AuditEntry), next_cursor: z.number().int().nullable() }).meta({ id: 'AuditPage' });

export const VerifyAnswer = z
  .object({ ok: z.boolean(), entries: z.number().int(), first_broken: z.number().int().nullable(), reason: z.string().optional() })
  .meta({ id: 'AuditVerify' });
