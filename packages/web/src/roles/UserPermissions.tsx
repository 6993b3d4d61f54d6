// The User Permissions table: every user with a roles selector. A change is saved at once
// (PUT /users/{id}/roles/{names}); if the server refuses, the selector goes back and says why.
import { Badge, Button, Group, MultiSelect, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../api/client';
import type { User } from '../api/types';
import { useAuth } from '../auth/AuthContext';
import { errorText, errorTitle } from '../components/ErrorAlert';
import { Loaded } from '../components/Loaded';
import { TableFrame } from '../components/TableFrame';
import { IconPlus } from '../components/icons';
import { useRoles, useUsers } from './queries';
import { UserModal } from './UserModal';

export function UserPermissions() {
  const users = useUsers();
  const roles = useRoles();
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const roleNames = (roles.data ?? []).map((r) => r.name);
  const shown = (users.data ?? []).filter((u) => u.email.toLowerCase().includes(filter.trim().toLowerCase()));

  return (
    <Stack gap="sm">
      <Group justify="space-between" wrap="wrap">
        <TextInput aria-label="Find a user" placeholder="Find a user by email" type="search" value={filter} onChange={(e) => setFilter(e.currentTarget.value)} w={{ base: '100%', xs: 300 }} />
        <Button variant="light" leftSection={<IconPlus size={16} />} onClick={() => setCreating(true)}>New user</Button>
      </Group>
      <Loaded query={users} what="users">
        {() => (
          <TableFrame label="User Permissions">
            <Table.Thead>
              <Table.Tr><Table.Th>User</Table.Th><Table.Th w="55%">Roles</Table.Th></Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {shown.map((u) => <UserRow key={`${u.id}:${u.roles.join(',')}`} user={u} roleNames={roleNames} />)}
              {shown.length === 0 && (
                <Table.Tr><Table.Td colSpan={2}><Text c="dimmed" size="sm">No user matches.</Text></Table.Td></Table.Tr>
              )}
            </Table.Tbody>
          </TableFrame>
        )}
      </Loaded>
      <UserModal opened={creating} roleNames={roleNames} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function UserRow({ user, roleNames }: { user: User; roleNames: string[] }) {
  const qc = useQueryClient();
  const auth = useAuth();
  const [value, setValue] = useState(user.roles);
  const [busy, setBusy] = useState(false);

  const save = async (next: string[]) => {
    const before = value;
    setValue(next);
    setBusy(true);
    try {
      // The names are one path segment, comma-separated; encode each so a space survives.
      await api('PUT', `/users/${user.id}/roles/${next.map(encodeURIComponent).join(',')}`);
      notifications.show({ color: 'green', title: 'Roles saved', message: `${user.email}: ${next.length ? next.join(', ') : 'no roles'}` });
      await qc.invalidateQueries({ queryKey: ['users'] });
      if (user.id === auth.user?.id) await auth.refreshUser();
    } catch (e) {
      setValue(before);
      notifications.show({ color: 'red', title: errorTitle(e), message: errorText(e), autoClose: 8000 });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Table.Tr data-user={user.email}>
      <Table.Td>
        <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>{user.email}</Text>
        {user.disabled && <Badge size="xs" color="gray">disabled</Badge>}
      </Table.Td>
      <Table.Td>
        <MultiSelect
          aria-label={`Roles of ${user.email}`} data={roleNames} value={value} onChange={save} searchable
          placeholder={value.length ? undefined : 'No roles'} disabled={busy} comboboxProps={{ withinPortal: true }}
        />
      </Table.Td>
    </Table.Tr>
  );
}
