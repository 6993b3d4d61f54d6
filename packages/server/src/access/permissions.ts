// The permission catalogue and the built-in roles (SPEC section 4).
export const PERMISSIONS = [
  { id: 'secrets/read', name: 'Read secrets', description: 'List secrets, read their metadata and values (subject to scope).' },
  { id: 'secrets/manage', name: 'Manage secrets', description: 'Create, update, delete and restore secrets.' },
  // Using a connector reads documents with its secret on the caller's behalf, without revealing the secret.
  { id: 'connectors/use', name: 'Use connectors', description: 'List connectors, check them and read the documents they open (never the secret).' },
  { id: 'connectors/manage', name: 'Manage connectors', description: 'Create, change and delete connectors (binding one needs to see its secret).' },
  { id: 'roles/manage', name: 'Manage roles', description: 'Manage users, roles and their assignment.' },
  { id: 'audit/read', name: 'Read audit log', description: 'Read and verify the audit log.' },
] as const;

export type Permission = (typeof PERMISSIONS)[number]['id'];
export const PERMISSION_IDS = PERMISSIONS.map((p) => p.id) as Permission[];
export const isPermission = (s: string): s is Permission => (PERMISSION_IDS as string[]).includes(s);

export const ADMIN_ROLE = 'admin';

export const BUILTIN_ROLES: { name: string; description: string; permissions: Permission[] }[] = [
  { name: 'admin', description: 'Full access, including users, roles and audit.', permissions: [...PERMISSION_IDS] },
  // Issue 6: both connector permissions go to admin and default.
  { name: 'default', description: 'Read secrets; use and manage connectors.', permissions: ['secrets/read', 'connectors/use', 'connectors/manage'] },
  { name: 'user', description: 'Read secrets.', permissions: ['secrets/read'] },
  { name: 'viewer', description: 'No secret access.', permissions: [] },
];

/** The lock name that serialises changes to users, roles and the built-in roles (see roles.service.ts). */
export const ACCESS_LOCK = 'access';
