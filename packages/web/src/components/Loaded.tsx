// The three states of server data on a screen: failed (said in words, with a retry), loading, ready.
import { Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { ErrorAlert } from './ErrorAlert';

export function Loaded<T>({ query, what, children }: { query: UseQueryResult<T>; what: string; children: (data: T) => ReactNode }) {
  if (query.isError) return <ErrorAlert error={query.error} onRetry={() => query.refetch()} />;
  if (query.isPending) return <Text c="dimmed">Loading {what}…</Text>;
  return <>{children(query.data)}</>;
}
