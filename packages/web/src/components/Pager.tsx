import { Button, Group, Text } from '@mantine/core';

export function Pager({ page, hasNext, onPrevious, onNext, shown, busy }: { page: number; hasNext: boolean; onPrevious: () => void; onNext: () => void; shown: number; busy?: boolean }) {
  if (page === 1 && !hasNext) return null;
  return (
    <Group justify="space-between" mt="sm" wrap="wrap">
      <Text size="sm" c="dimmed" aria-live="polite">Page {page} · {shown} shown</Text>
      <Group gap="xs">
        <Button variant="default" size="xs" onClick={onPrevious} disabled={page === 1 || busy}>Previous page</Button>
        <Button variant="default" size="xs" onClick={onNext} disabled={!hasNext || busy}>Next page</Button>
      </Group>
    </Group>
  );
}
