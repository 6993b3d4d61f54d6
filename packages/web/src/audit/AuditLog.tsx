// System Dashboard → Audit log: entries newest first, filters, and the hash-chain check.
import { Alert, Badge, Button, Code, Group, Paper, Popover, SimpleGrid, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue, useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, query } from '../api/client';
import type { AuditPage, AuditVerify } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { Forbidden } from '../components/Forbidden';
import { Loaded } from '../components/Loaded';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { TableFrame } from '../components/TableFrame';
import { usePaging } from '../components/usePaging';
import { when } from '../format';

const OUTCOME_COLOR = { allowed: 'green', denied: 'orange', failed: 'red' } as const;

export function AuditLog() {
  const auth = useAuth();
  if (!auth.can('audit/read')) return <Forbidden what="Audit log" reason="Your roles do not include the Read audit log permission." />;
  return <Audit />;
}

/** `datetime-local` gives local time without a zone; the API wants ISO-8601 with one. */
const toIso = (local: string) => (local ? new Date(local).toISOString() : undefined);

function ChainCheck() {
  const v = useQuery({ queryKey: ['audit', 'verify'], queryFn: () => api<AuditVerify>('GET', '/audit/verify'), staleTime: 0 });
  const again = <Button size="xs" variant="light" onClick={() => v.refetch()} loading={v.isFetching}>Check again</Button>;
  if (v.isError) return <ErrorAlert error={v.error} title="The chain check could not run" onRetry={() => v.refetch()} />;
  if (v.isPending) return <Alert color="gray" title="Checking the hash chain…">Every entry's hash is being recomputed.</Alert>;
  const r = v.data;
  return r.ok ? (
    <Alert color="green" title="Chain intact" data-testid="chain-check">
      <Group justify="space-between" wrap="wrap">
        <Text size="sm">All {r.entries} entries check out: none was changed, removed or reordered.</Text>
        {again}
      </Group>
    </Alert>
  ) : (
    <Alert color="red" title="Chain broken" data-testid="chain-check" role="alert">
      <Group justify="space-between" wrap="wrap">
        <Text size="sm">Entry #{r.first_broken} does not match the chain{r.reason ? ` (${r.reason})` : ''}. Entries from there on may have been tampered with; {r.entries} entries checked.</Text>
        {again}
      </Group>
    </Alert>
  );
}

function Audit() {
  const [f, setF] = useState({ actor: '', action: '', target: '', since: '', until: '' });
  const [debounced] = useDebouncedValue(f, 300);
  // On a phone the five filters would push the log below the fold: they fold behind a button.
  const narrow = useMediaQuery('(max-width: 48em)');
  const [showFilters, setShowFilters] = useState(false);
  const active = Object.values(f).filter(Boolean).length;
  const paging = usePaging<number>();
  const { reset } = paging;
  useEffect(() => reset(), [debounced, reset]);
  const params = {
    actor: debounced.actor.trim(), action: debounced.action.trim(), target: debounced.target.trim(),
    since: toIso(debounced.since), until: toIso(debounced.until), limit: 50, cursor: paging.cursor,
  };
  const list = useQuery({
    queryKey: ['audit', 'list', params],
    queryFn: ({ signal }) => api<AuditPage>('GET', `/audit${query(params)}`, undefined, { signal }),
    placeholderData: keepPreviousData,
  });
  const set = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const v = e.currentTarget.value;
    setF((s) => ({ ...s, [k]: v }));
  };

  return (
    <Stack maw={1400}>
      <PageHeader title="Audit log" description="Every sign-in, every read of a value and every change, newest first. Entries never contain secret values." />
      <ChainCheck />
      <Paper withBorder p="sm">
        {narrow && (
          <Button variant="subtle" size="compact-sm" onClick={() => setShowFilters((v) => !v)} aria-expanded={showFilters}>
            {showFilters ? 'Hide filters' : `Filters${active ? ` (${active})` : ''}`}
          </Button>
        )}
        <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="sm" role="search" display={narrow && !showFilters ? 'none' : undefined} mt={narrow ? 'xs' : 0}>
          <TextInput label="Actor" placeholder="admin@example.com" value={f.actor} onChange={set('actor')} />
          <TextInput label="Action" placeholder="secret.read_value" value={f.action} onChange={set('action')} />
          <TextInput label="Target" placeholder="secret:finance-s3" value={f.target} onChange={set('target')} />
          <TextInput label="From" type="datetime-local" value={f.since} onChange={set('since')} />
          <TextInput label="Until" type="datetime-local" value={f.until} onChange={set('until')} />
        </SimpleGrid>
      </Paper>
      <Loaded query={list} what="entries">
        {(data) => data.items.length === 0 ? (
          <Paper withBorder p="xl"><Text ta="center" c="dimmed">No entry matches these filters.</Text></Paper>
        ) : (
          <TableFrame label="Audit entries" verticalSpacing="xs" striped>
            <Table.Thead>
              <Table.Tr>
                <Table.Th visibleFrom="sm">#</Table.Th><Table.Th>Time</Table.Th><Table.Th>Actor</Table.Th><Table.Th>Action</Table.Th>
                <Table.Th visibleFrom="sm">Target</Table.Th><Table.Th>Outcome</Table.Th><Table.Th visibleFrom="md">Client</Table.Th><Table.Th visibleFrom="md">Details</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((e) => (
                <Table.Tr key={e.seq} data-action={e.action}>
                  <Table.Td visibleFrom="sm">{e.seq}</Table.Td>
                  <Table.Td title={e.at}><Text size="xs">{when(e.at)}</Text></Table.Td>
                  <Table.Td><Text size="xs" style={{ overflowWrap: 'anywhere' }}>{e.actor}</Text></Table.Td>
                  <Table.Td><Text size="xs" className="mono">{e.action}</Text></Table.Td>
                  <Table.Td visibleFrom="sm"><Text size="xs" className="mono" style={{ overflowWrap: 'anywhere' }}>{e.target}</Text></Table.Td>
                  <Table.Td><Badge size="sm" variant="light" tt="none" miw="max-content" color={OUTCOME_COLOR[e.outcome]}>{e.outcome}</Badge></Table.Td>
                  <Table.Td visibleFrom="md"><Text size="xs">{e.client_ip}</Text></Table.Td>
                  <Table.Td visibleFrom="md">
                    {Object.keys(e.details).length > 0 && (
                      <Popover width={360} position="bottom-end" withinPortal>
                        <Popover.Target><Button size="compact-xs" variant="subtle">Show</Button></Popover.Target>
                        <Popover.Dropdown><Code block>{JSON.stringify(e.details, null, 2)}</Code></Popover.Dropdown>
                      </Popover>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </TableFrame>
        )}
      </Loaded>
      <Pager paging={paging} list={list} />
    </Stack>
  );
}
