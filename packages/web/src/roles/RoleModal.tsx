// + New role and Edit role: name, optional description, a searchable permission picker.
import { Button, Group, Modal, MultiSelect, Stack, Textarea, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client';
import type { Role } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { IconPlus } from '../components/icons';
import { usePermissions } from './queries';

export function RoleModal({ opened, role, onClose }: { opened: boolean; role?: Role; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title={role ? `Edit role ${role.name}` : 'New role'} closeButtonProps={{ 'aria-label': 'Close' }}>
      {opened && <RoleForm role={role} onClose={onClose} />}
    </Modal>
  );
}

function RoleForm({ role, onClose }: { role?: Role; onClose: () => void }) {
  const qc = useQueryClient();
  const perms = usePermissions();
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [permissions, setPermissions] = useState<string[]>(role?.permissions ?? []);
  const [nameError, setNameError] = useState<string | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    if (!name.trim()) {
      setNameError('Give the role a name');
      return;
    }
    setNameError(undefined);
    setBusy(true);
    try {
      const body = { name: name.trim(), description, permissions };
      if (role) await api('PUT', `/roles/${encodeURIComponent(role.id)}`, body);
      else await api('POST', '/roles', body);
      await Promise.all([qc.invalidateQueries({ queryKey: ['roles'] }), qc.invalidateQueries({ queryKey: ['users'] })]);
      notifications.show({ color: 'green', title: role ? 'Role saved' : 'Role created', message: `${body.name} can now be assigned in User Permissions.` });
      onClose();
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.code === 'role_exists') setNameError('A role with this name exists');
        const p = err.fieldProblems.find((f) => f.field.endsWith('name'));
        if (p) setNameError(p.message);
      }
      setError(err);
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label={role ? 'Edit role' : 'New role'}>
      <Stack>
        <TextInput label="Role name" placeholder="Secret Manager User" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={nameError} data-autofocus />
        <Textarea label="Description" placeholder="Optional" value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={2} maxRows={4} />
        {perms.isError ? (
          <ErrorAlert error={perms.error} onRetry={() => perms.refetch()} />
        ) : (
          <MultiSelect
            label="Permissions" placeholder={permissions.length ? undefined : 'Search permissions'} searchable clearable
            nothingFoundMessage="No permission matches" disabled={perms.isPending}
            data={(perms.data ?? []).map((p) => ({ value: p.id, label: p.name }))}
            value={permissions} onChange={setPermissions}
            description="What holders of this role may do. Everything else is denied."
            comboboxProps={{ withinPortal: true }}
          />
        )}
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
          <Button type="submit" loading={busy} leftSection={role ? undefined : <IconPlus size={16} />}>{role ? 'Save' : 'Create'}</Button>
        </Group>
      </Stack>
    </form>
  );
}
