// Deny by default: every service method starts with need(); a refusal is audited before it is thrown.
import type { AuditService } from '../audit/audit.service.js';
import { PermissionDenied } from '../errors.js';
import { auditContext, type Actor } from './actor.js';
import type { Permission } from './permissions.js';

export function createGuard(audit: AuditService) {
  return {
    async need(actor: Actor, permission: Permission, action: string, target: string): Promise<void> {
      if (actor.permissions.has(permission)) return;
      await audit.record(auditContext(actor), { action, target, outcome: 'denied', details: { missing: permission } });
      throw PermissionDenied(permission);
    },
  };
}

export type Guard = ReturnType<typeof createGuard>;
