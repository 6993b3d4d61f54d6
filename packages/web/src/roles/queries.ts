import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { PermissionInfo, Role, User } from '../api/types';

export const usePermissions = () => useQuery({ queryKey: ['permissions'], queryFn: () => api<PermissionInfo[]>('GET', '/permissions'), staleTime: Infinity });
export const useRoles = () => useQuery({ queryKey: ['roles'], queryFn: () => api<Role[]>('GET', '/roles') });
export const useUsers = () => useQuery({ queryKey: ['users'], queryFn: () => api<User[]>('GET', '/users') });

/** "Manage secrets" for "secrets/manage"; the id itself when the catalogue does not know it. */
export const permissionName = (all: PermissionInfo[] | undefined, id: string) => all?.find((p) => p.id === id)?.name ?? id;
