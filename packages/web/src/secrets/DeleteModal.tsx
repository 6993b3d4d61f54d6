// Delete asks first, and says plainly that connectors using the secret will break, naming them.
// Having seen the list, the user's Delete is an informed one, so it is sent with force; if a
// connector appeared meanwhile, the server refuses (409) and the dialog shows the new list.
import { Alert, List, Modal, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, ApiError } from '../api/client';
import type { SecretMeta } from '../api/types';
import { ConfirmFooter } from '../components/ConfirmFooter';
import { ErrorAlert } from '../components/ErrorAlert';
import { IconAlert } from '../components/icons';

type Connector = { id: string; name: string };

export function DeleteModal({ secret, onClose }: { secret: SecretMeta | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [connectors, setConnectors] = useState<Connector[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setConnectors(secret?.used_by ?? []);
    setError(null);
    setBusy(false);
  }, [secret]);

  if (!secret) return <Modal opened={false} onClose={onClose}>{null}</Modal>;

  const remove = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('DELETE', `/secrets/${encodeURIComponent(secret.id)}${connectors.length ? '?force=true' : ''}`);
      await qc.invalidateQueries({ queryKey: ['secrets'] });
      notifications.show({ color: 'green', title: 'Secret deleted', message: `${secret.id} is in the trash; it can be restored from there.` });
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'secret_in_use') {
        const list = (e.details as { connectors?: Connector[] } | undefined)?.connectors;
        if (list) setConnectors(list);
      }
      setError(e);
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title={`Delete secret ${secret.id}?`} closeButtonProps={{ 'aria-label': 'Close' }}>
      <Stack>
        <Alert color="orange" variant="light" icon={<IconAlert />} title="Connectors using this secret will break">
          {connectors.length === 0 ? (
            <Text size="sm">No connector uses this secret now. Any connector that refers to it later will fail to connect.</Text>
          ) : (
            <>
              <Text size="sm">These connectors use it and will stop working:</Text>
              <List size="sm" mt={4} aria-label="Connectors using this secret">
                {connectors.map((c) => <List.Item key={c.id}>{c.name}</List.Item>)}
              </List>
            </>
          )}
        </Alert>
        <Text size="sm">The secret moves to the trash, where it can be restored for a limited time; its name stays taken until then.</Text>
        <ErrorAlert error={error} />
        <ConfirmFooter onCancel={onClose} onConfirm={remove} busy={busy} />
      </Stack>
    </Modal>
  );
}
