// New user: email, a first password (the user changes it), and roles.
import { Button, Group, Modal, MultiSelect, PasswordInput, Stack, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { ErrorAlert } from '../components/ErrorAlert';

export function UserModal({ opened, roleNames, onClose }: { opened: boolean; roleNames: string[]; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="New user" closeButtonProps={{ 'aria-label': 'Close' }}>
      {opened && <UserForm roleNames={roleNames} onClose={onClose} />}
    </Modal>
  );
}

function UserForm({ roleNames, onClose }: { roleNames: string[]; onClose: () => void }) {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<string[]>(['default']);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api('POST', '/users', { email: email.trim(), password, roles });
      await qc.invalidateQueries({ queryKey: ['users'] });
      notifications.show({ color: 'green', title: 'User created', message: `${email.trim()} can sign in now.` });
      onClose();
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="New user">
      <Stack>
        <TextInput label="Email" type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} autoComplete="off" data-autofocus />
        <PasswordInput label="First password" description="At least 12 characters. Tell the user to change it." required value={password} onChange={(e) => setPassword(e.currentTarget.value)} autoComplete="new-password" visibilityToggleFocusable />
        <MultiSelect label="Roles" data={roleNames} value={roles} onChange={setRoles} searchable comboboxProps={{ withinPortal: true }} />
        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} disabled={busy}>Cancel</Button>
          <Button type="submit" loading={busy}>Create user</Button>
        </Group>
      </Stack>
    </form>
  );
}
