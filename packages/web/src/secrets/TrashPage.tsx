// Deleted secrets that can still be restored.
import { Anchor, Button, Paper, Stack, Table, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { api, query } from '../api/client';
import type { SecretList } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { Forbidden } from '../components/Forbidden';
import { Loaded } from '../components/Loaded';
import { IconRestore } from '../components/icons';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { TableFrame } from '../components/TableFrame';
import { usePaging } from '../components/usePaging';
import { when } from '../format';
import { typeLabel, useConnectorTypes } from './queries';

export function TrashPage() {
  const auth = useAuth();
  if (!auth.secretManagerVisible) return <Forbidden what="Secret Manager" reason="It is turned off on this server, or your roles do not include Read secrets." />;
  return <Trash canManage={auth.can('secrets/manage')} />;
}

function Trash({ canManage }: { canManage: boolean }) {
  const qc = useQueryClient();
  const types = useConnectorTypes();
  const paging = usePaging<string>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['secrets', 'trash', paging.cursor],
    queryFn: ({ signal }) => api<SecretList>('GET', `/secrets/trash${query({ limit: 50, cursor: paging.cursor })}`, undefined, { signal }),
    placeholderData: keepPreviousData,
  });

  const restore = async (id: string) => {
    setBusy(id);
    setError(null);
    try {
      await api('POST', `/secrets/${encodeURIComponent(id)}/restore`);
      await qc.invalidateQueries({ queryKey: ['secrets'] });
      notifications.show({ color: 'green', title: 'Secret restored', message: `${id} is back in the Secret Manager.` });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  };

  return (
    <Stack maw={1100}>
      <Anchor component={Link} to="/dashboard/secret-manager" size="sm">← Secret Manager</Anchor>
      <PageHeader title="Trash" description="Deleted secrets, restorable until the trash period ends; then they are purged for good." />
      <ErrorAlert error={error} />
      <Loaded query={list} what="deleted secrets">
        {(data) => data.items.length === 0 ? (
          <Paper withBorder p="xl"><Text ta="center" c="dimmed">The trash is empty.</Text></Paper>
        ) : (
          <TableFrame label="Deleted secrets">
            <Table.Thead>
              <Table.Tr><Table.Th>Name</Table.Th><Table.Th visibleFrom="sm">Connector type</Table.Th><Table.Th>Deleted</Table.Th><Table.Th /></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.items.map((s) => (
                <Table.Tr key={s.id} data-secret={s.id}>
                  <Table.Td><Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>{s.id}</Text></Table.Td>
                  <Table.Td visibleFrom="sm">{typeLabel(types.data, s.secret_type)}</Table.Td>
                  <Table.Td title={s.deleted_at ?? ''}>{when(s.deleted_at)}</Table.Td>
                  <Table.Td>
                    {canManage && (
                      <Button size="xs" variant="light" leftSection={<IconRestore size={14} />} loading={busy === s.id} onClick={() => restore(s.id)} aria-label={`Restore ${s.id}`}>
                        Restore
                      </Button>
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
