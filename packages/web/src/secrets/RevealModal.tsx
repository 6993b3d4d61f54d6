// Reveal: the one place a value is shown. It is fetched when asked for (each read is audited),
// kept only in this component's state, and dropped after 30 seconds or when the dialog closes.
import { Alert, Button, Code, CopyButton, Group, Loader, Modal, Progress, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { api } from '../api/client';
import type { SecretMeta } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { IconCheck, IconCopy } from '../components/icons';
import { typeLabel, useConnectorTypes } from './queries';

export const REVEAL_SECONDS = 30;

export function RevealModal({ secret, version, onClose }: { secret: SecretMeta | null; version?: number; onClose: () => void }) {
  return (
    <Modal opened={!!secret} onClose={onClose} size="lg" closeButtonProps={{ 'aria-label': 'Close' }}
      title={`Reveal ${secret?.id ?? ''}${version ? ` (version ${version})` : ''}`}>
      {secret && <Reveal key={`${secret.id}@${version ?? 'current'}`} secret={secret} version={version} onClose={onClose} />}
    </Modal>
  );
}

function Reveal({ secret, version, onClose }: { secret: SecretMeta; version?: number; onClose: () => void }) {
  const types = useConnectorTypes();
  const [value, setValue] = useState<Record<string, string> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [shownAt, setShownAt] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [round, setRound] = useState(0);
  const [loading, setLoading] = useState(true);

  useEffect(() => {
    const ctl = new AbortController();
    setError(null);
    setLoading(true);
    api<Record<string, string>>('GET', `/secrets/${encodeURIComponent(secret.id)}/value${version ? `?version=${version}` : ''}`, undefined, { signal: ctl.signal })
      .then((v) => {
        setLoading(false);
        setValue(v);
        setShownAt(Date.now());
        setNow(Date.now());
      })
      .catch((e) => {
        if ((e as Error).name === 'AbortError') return;
        setLoading(false);
        setError(e);
      });
    return () => ctl.abort();
  }, [secret.id, version, round]);

  // Ticks once a second for the countdown; the hide itself is its own timer so it cannot drift.
  useEffect(() => {
    if (shownAt === null) return;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const hide = setTimeout(() => {
      setValue(null);
      setShownAt(null);
    }, REVEAL_SECONDS * 1000);
    return () => {
      clearInterval(tick);
      clearTimeout(hide);
    };
  }, [shownAt]);

  // Unmounting (closing the dialog) drops the value with the component's state.
  const left = shownAt === null ? 0 : Math.max(0, REVEAL_SECONDS - Math.floor((now - shownAt) / 1000));
  const json = value ? JSON.stringify({ name: secret.id, connector_type: secret.secret_type, ...value }, null, 2) : '';

  if (error) return <ErrorAlert error={error} onRetry={() => setRound((n) => n + 1)} />;
  if (loading) return <Loader aria-label="Loading the value" />;
  if (!value) {
    return (
      <Stack>
        <Alert color="gray" variant="light" title="Hidden">
          The value was hidden after {REVEAL_SECONDS} seconds so that it does not stay on screen.
        </Alert>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>Close</Button>
          <Button onClick={() => setRound((n) => n + 1)}>Reveal again</Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Stack>
      <Text size="sm" c="dimmed">{typeLabel(types.data, secret.secret_type)} · version {version ?? secret.version}. Reading a value is recorded in the audit log.</Text>
      <Code block aria-label="Secret value" data-testid="reveal-json" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', maxHeight: 360, overflow: 'auto' }}>
        {json}
      </Code>
      <Progress value={(left / REVEAL_SECONDS) * 100} size="sm" aria-hidden="true" />
      <Group justify="space-between" wrap="wrap">
        <Text size="sm">Hidden again in {left} s</Text>
        <Group gap="xs">
          <CopyButton value={json} timeout={2000}>
            {({ copied, copy }) => (
              <Button variant="light" color={copied ? 'teal' : undefined} leftSection={copied ? <IconCheck size={16} /> : <IconCopy size={16} />} onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
          <Button variant="default" onClick={onClose}>Close</Button>
        </Group>
      </Group>
    </Stack>
  );
}
