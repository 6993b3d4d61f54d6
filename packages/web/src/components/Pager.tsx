import { Button, Group, Text } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { usePaging } from './usePaging';

/** Previous / next for a cursor-paged list; hidden when everything fits on one page. */
export function Pager<C>({ paging, list }: { paging: ReturnType<typeof usePaging<C>>; list: UseQueryResult<{ items: unknown[]; next_cursor: C | null }> }) {
  const data = list.data;
  if (!data || (paging.page === 1 && data.next_cursor === null)) return null;
  const next = data.next_cursor;
  return (
    <Group justify="space-between" mt="sm" wrap="wrap">
      <Text size="sm" c="dimmed" aria-live="polite">Page {paging.page} · {data.items.length} shown</Text>
      <Group gap="xs">
        <Button variant="default" size="xs" onClick={paging.previous} disabled={paging.page === 1 || list.isFetching}>Previous page</Button>
        <Button variant="default" size="xs" onClick={() => next !== null && paging.next(next)} disabled={next === null || list.isFetching}>Next page</Button>
      </Group>
    </Group>
  );
}
