// Server data the secret screens share. Values are never kept here: only Reveal fetches them,
// outside the query cache, so no value lingers in memory after it is hidden.
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { ConnectorType } from '../api/types';

export function useConnectorTypes() {
  return useQuery({ queryKey: ['connector-types'], queryFn: () => api<ConnectorType[]>('GET', '/connector-types'), staleTime: Infinity });
}

export function typeLabel(types: ConnectorType[] | undefined, type: string): string {
  return types?.find((t) => t.type === type)?.label ?? type;
}

/** Secret ids the server accepts (SPEC section 2). */
export const SECRET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const RESERVED_IDS = new Set(['ids', 'trash']);
