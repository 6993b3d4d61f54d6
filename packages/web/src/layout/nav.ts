// The System Dashboard's entries, grouped as the seed describes, with who may see each.
import type { useAuth } from '../auth/AuthContext';

export interface NavEntry {
  to: string;
  label: string;
  description: string;
  section: 'Configuration' | 'Access' | 'Security';
  visible: (a: ReturnType<typeof useAuth>) => boolean;
}

export const NAV: NavEntry[] = [
  {
    to: '/dashboard/secret-manager', label: 'Secret Manager', section: 'Configuration',
    description: 'Credentials that connectors use to reach cloud storage and document systems.',
    visible: (a) => a.secretManagerVisible,
  },
  {
    to: '/dashboard/roles', label: 'Roles and permissions', section: 'Access',
    description: 'Create roles, choose their permissions and assign them to users.',
    visible: (a) => a.can('roles/manage'),
  },
  {
    to: '/dashboard/audit', label: 'Audit log', section: 'Security',
    description: 'Who did what and when, with a check that no entry was changed.',
    visible: (a) => a.can('audit/read'),
  },
];
