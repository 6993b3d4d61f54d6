// System Dashboard → Configuration → Secret Manager.
import { Button, Group, Paper, Select, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, query } from '../api/client';
import type { SecretList, SecretMeta } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { ErrorAlert } from '../components/ErrorAlert';
import { Forbidden } from '../components/Forbidden';
import { Loaded } from '../components/Loaded';
import { IconPlus, IconTrash } from '../components/icons';
import { PageHeader } from '../components/PageHeader';
import { Pager } from '../components/Pager';
import { usePaging } from '../components/usePaging';
import { DeleteModal } from './DeleteModal';
import { useConnectorTypes } from './queries';
import { RevealModal } from './RevealModal';
import { SecretFormModal } from './SecretFormModal';
import { SecretsTable, type RowAction } from './SecretsTable';
import { VersionsModal } from './VersionsModal';

const PAGE_SIZE = 50;

export function SecretManager() {
  const auth = useAuth();
  if (!auth.info?.secret_manager_enabled) {
    return <Forbidden what="Secret Manager" reason="It is turned off on this server (SECRET_MANAGER_ENABLED=false). An operator can turn it on." />;
  }
  if (!auth.can('secrets/read')) {
    return <Forbidden what="Secret Manager" reason="Your roles do not include the Read secrets permission. Ask an administrator for a role that has it." />;
  }
  return <SecretManagerScreen canManage={auth.can('secrets/manage')} />;
}

function SecretManagerScreen({ canManage }: { canManage: boolean }) {
  const types = useConnectorTypes();
  // Filters live in the address, so a reload or a shared link shows the same list.
  const [params, setParams] = useSearchParams();
  const type = params.get('type') ?? '';
  const [search, setSearch] = useState(params.get('q') ?? '');
  const [q] = useDebouncedValue(search.trim(), 300);
  const paging = usePaging<string>();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<SecretMeta | null>(null);
  const [revealing, setRevealing] = useState<{ secret: SecretMeta; version?: number } | null>(null);
  const [deleting, setDeleting] = useState<SecretMeta | null>(null);
  const [versionsOf, setVersionsOf] = useState<SecretMeta | null>(null);

  const { reset } = paging;
  useEffect(() => {
    reset();
    setParams((p) => {
      const n = new URLSearchParams(p);
      if (q) n.set('q', q);
      else n.delete('q');
      return n;
    }, { replace: true });
  }, [q, type, reset, setParams]);

  const list = useQuery({
    queryKey: ['secrets', 'list', type, q, paging.cursor],
    queryFn: ({ signal }) => api<SecretList>('GET', `/secrets${query({ connector_type: type, q, limit: PAGE_SIZE, cursor: paging.cursor })}`, undefined, { signal }),
    placeholderData: keepPreviousData,
  });

  const onAction = (a: RowAction, s: SecretMeta) => {
    if (a === 'reveal') setRevealing({ secret: s });
    if (a === 'edit') setEditing(s);
    if (a === 'delete') setDeleting(s);
    if (a === 'versions') setVersionsOf(s);
  };

  const filtered = !!(type || q);
  return (
    <Stack maw={1280}>
      <PageHeader
        title="Secret Manager"
        description="Credentials for data connectors, stored encrypted. Values are shown only through Reveal."
        actions={
          <>
            <Button component={Link} to="/dashboard/secret-manager/trash" variant="default" leftSection={<IconTrash size={16} />}>Trash</Button>
            {canManage && <Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>New Secret</Button>}
          </>
        }
      />
      <Paper withBorder p="sm">
        <Group gap="sm" align="flex-end" wrap="wrap" role="search">
          <Select
            label="Connector type" placeholder="All connector types" clearable clearButtonProps={{ 'aria-label': 'Clear the connector type filter', 'aria-hidden': false, tabIndex: 0 }} w={{ base: '100%', xs: 260 }}
            data={(types.data ?? []).map((t) => ({ value: t.type, label: t.label }))}
            value={type || null}
            onChange={(v) => setParams((p) => {
              const n = new URLSearchParams(p);
              if (v) n.set('type', v);
              else n.delete('type');
              return n;
            })}
          />
          <TextInput label="Search" placeholder="Name or description" value={search} onChange={(e) => setSearch(e.currentTarget.value)} w={{ base: '100%', xs: 280 }} type="search" />
        </Group>
      </Paper>

      {types.isError && <ErrorAlert error={types.error} onRetry={() => types.refetch()} />}
      <Loaded query={list} what="secrets">
        {(data) => data.items.length === 0 && paging.page === 1 ? (
          <Paper withBorder p="xl">
            <Text ta="center" c="dimmed">
              {filtered ? 'No secrets match this filter.' : canManage ? 'No secrets yet. Create the first one with New Secret.' : 'No secrets are visible to you yet.'}
            </Text>
          </Paper>
        ) : (
          <SecretsTable items={data.items} types={types.data} canManage={canManage} onAction={onAction} />
        )}
      </Loaded>
      <Pager paging={paging} list={list} />

      <SecretFormModal mode="create" opened={creating} onClose={() => setCreating(false)} />
      {editing && <SecretFormModal mode="edit" secret={editing} opened onClose={() => setEditing(null)} />}
      <RevealModal secret={revealing?.secret ?? null} version={revealing?.version} onClose={() => setRevealing(null)} />
      <DeleteModal secret={deleting} onClose={() => setDeleting(null)} />
      <VersionsModal secret={versionsOf} onClose={() => setVersionsOf(null)} onReveal={(v) => {
        // One dialog at a time: Reveal replaces the version list rather than stacking on it.
        if (versionsOf) setRevealing({ secret: versionsOf, version: v });
        setVersionsOf(null);
      }} />
    </Stack>
  );
}
