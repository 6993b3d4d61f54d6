import type { AuditContext } from '../audit/audit.service.js';
import type { Generations } from '../store/generations.js';
import type { Permission } from './permissions.js';

export interface RequestInfo {
  ip: string;
  userAgent: string;
  requestId: string;
}

/** Who is acting, resolved afresh on every request so role changes apply at once. */
export interface Actor {
  userId: string;
  email: string;
  roles: string[];
  permissions: ReadonlySet<Permission>;
  /** Holds the built-in admin role: sees every USER_SECRET. */
  isAdmin: boolean;
  via: 'session' | 'api_key' | 'system';
  keyId?: string;
  request: RequestInfo;
  /**
   * The store's generations as read when this request's credential was checked: what a service
   * remembers is used only if it was read under these (store/generations.ts). Absent for the CLI
   * and jobs, which read the store afresh.
   */
  seen?: Generations;
}

/**
 * A remembered actor for one request. Spelled out: an object spread here cost about 3% of a value
 * read's time in the profile, more than hashing the API key.
 */
export const actorForRequest = (a: Omit<Actor, 'request'>, request: RequestInfo, seen: Generations): Actor => ({
  userId: a.userId, email: a.email, roles: a.roles, permissions: a.permissions, isAdmin: a.isAdmin, via: a.via, keyId: a.keyId, request, seen,
}) satisfies { [K in keyof Required<Actor>]: Actor[K] }; // every field: one added to Actor must be added here

export const auditContext = (a: Actor): AuditContext => ({
  actor: a.email,
  via: a.keyId ? `api_key:${a.keyId}` : a.via,
  ip: a.request.ip,
  userAgent: a.request.userAgent,
  requestId: a.request.requestId,
});

export const anonymousContext = (r: RequestInfo): AuditContext => ({ actor: 'anonymous', via: 'none', ip: r.ip, userAgent: r.userAgent, requestId: r.requestId });

/** For the CLI and background jobs, which act with every permission and say so in the audit log. */
export function systemActor(name: string, permissions: Iterable<Permission>): Actor {
  return {
    userId: 'system',
    email: `system:${name}`,
    roles: ['admin'],
    permissions: new Set(permissions),
    isAdmin: true,
    via: 'system',
    request: { ip: 'local', userAgent: name, requestId: `${name}-${Date.now()}` },
  };
}
