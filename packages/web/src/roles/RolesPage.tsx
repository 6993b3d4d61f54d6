// System Dashboard → Roles and permissions: the roles, and below them who has which.
import { ActionIcon, Badge, Button, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { Role } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { ConfirmFooter } from '../components/ConfirmFooter';
import { ErrorAlert } from '../components/ErrorAlert';
import { Forbidden } from '../components/Forbidden';
import { Loaded } from '../components/Loaded';
import { TableFrame } from '../components/TableFrame';
import { IconEdit, IconPlus, IconTrash } from '../components/icons';
import { PageHeader } from '../components/PageHeader';
import { permissionName, usePermissions, useRoles } from './queries';
import { RoleModal } from './RoleModal';
import { UserPermissions } from './UserPermissions';

export function RolesPage() {
  const auth = useAuth();
  if (!auth.can('roles/manage')) return <Forbidden what="Roles and permissions" reason="Your roles do not include the Manage roles permission." />;
  return <Roles />;
}

function Roles() {
  const roles = useRoles();
  const perms = usePermissions();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Role | null>(null);
  const [deleting, setDeleting] = useState<Role | null>(null);

  return (
    <Stack maw={1280}>
      <PageHeader
        title="Roles and permissions"
        description="A role is a named set of permissions. Built-in roles cannot be changed."
        actions={<Button leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>New role</Button>}
      />
      <Loaded query={roles} what="roles">
        {(data) => (
          <TableFrame label="Roles">
            <Table.Thead>
              <Table.Tr><Table.Th>Role</Table.Th><Table.Th visibleFrom="sm">Description</Table.Th><Table.Th>Permissions</Table.Th><Table.Th w={90} /></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {data.map((r) => (
                <Table.Tr key={r.id} data-role={r.name}>
                  <Table.Td>
                    <Text size="sm" fw={500}>{r.name}</Text>
                    {r.builtin && <Text size="xs" c="dimmed">built-in</Text>}
                  </Table.Td>
                  <Table.Td visibleFrom="sm"><Text size="sm">{r.description || '—'}</Text></Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {r.permissions.length ? r.permissions.map((p) => <Badge key={p} variant="light" size="sm" tt="none">{permissionName(perms.data, p)}</Badge>) : <Text size="sm" c="dimmed">None</Text>}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {!r.builtin && (
                      <Group gap={4} wrap="nowrap">
                        <ActionIcon variant="subtle" aria-label={`Edit role ${r.name}`} onClick={() => setEditing(r)}><IconEdit size={16} /></ActionIcon>
                        <ActionIcon variant="subtle" color="red" aria-label={`Delete role ${r.name}`} onClick={() => setDeleting(r)}><IconTrash size={16} /></ActionIcon>
                      </Group>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </TableFrame>
        )}
      </Loaded>

      <Title order={3} mt="lg">User Permissions</Title>
      <UserPermissions />

      <RoleModal opened={creating} onClose={() => setCreating(false)} />
      <RoleModal opened={!!editing} role={editing ?? undefined} onClose={() => setEditing(null)} />
      <DeleteRole role={deleting} onClose={() => setDeleting(null)} />
    </Stack>
  );
}

function DeleteRole({ role, onClose }: { role: Role | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const close = () => {
    setError(null);
    setBusy(false);
    onClose();
  };
  const remove = async () => {
    if (!role) return;
    setBusy(true);
    setError(null);
    try {
      await api('DELETE', `/roles/${encodeURIComponent(role.id)}`);
      await Promise.all([qc.invalidateQueries({ queryKey: ['roles'] }), qc.invalidateQueries({ queryKey: ['users'] })]);
      notifications.show({ color: 'green', title: 'Role deleted', message: `${role.name} is gone; its users lost its permissions.` });
      close();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };
  return (
    <Modal opened={!!role} onClose={close} title={`Delete role ${role?.name ?? ''}?`} closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Text size="sm">Users who have this role lose the permissions it gives them, at once.</Text>
        <ErrorAlert error={error} />
        <ConfirmFooter onCancel={close} onConfirm={remove} busy={busy} />
      </Stack>
    </Modal>
  );
}
