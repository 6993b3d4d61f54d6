// The version history of a secret (no values), with Reveal for any older version.
import { Button, Modal, Table, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client';
import type { SecretMeta, SecretVersion } from '../api/types';
import { Loaded } from '../components/Loaded';
import { TableFrame } from '../components/TableFrame';
import { when } from '../format';

export function VersionsModal({ secret, onClose, onReveal }: { secret: SecretMeta | null; onClose: () => void; onReveal: (version: number) => void }) {
  return (
    <Modal opened={!!secret} onClose={onClose} size="xl" title={`Versions of ${secret?.id ?? ''}`} closeButtonProps={{ 'aria-label': 'Close' }}>
      {secret && <Versions secret={secret} onReveal={onReveal} />}
    </Modal>
  );
}

function Versions({ secret, onReveal }: { secret: SecretMeta; onReveal: (version: number) => void }) {
  const q = useQuery({
    queryKey: ['secrets', 'versions', secret.id],
    queryFn: () => api<SecretVersion[]>('GET', `/secrets/${encodeURIComponent(secret.id)}/versions`),
  });
  return (
    <Loaded query={q} what="versions">
      {(data) => (
        <TableFrame label="Versions" minWidth={520} striped>
          <Table.Thead>
            <Table.Tr><Table.Th>Version</Table.Th><Table.Th>Fields</Table.Th><Table.Th>Created</Table.Th><Table.Th>By</Table.Th><Table.Th /></Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {data.map((v) => (
              <Table.Tr key={v.version}>
                <Table.Td>{v.version}{v.version === secret.version ? ' (current)' : ''}</Table.Td>
                <Table.Td><Text size="xs" className="mono">{v.fields.join(', ')}</Text></Table.Td>
                <Table.Td title={v.created_at}>{when(v.created_at)}</Table.Td>
                <Table.Td>{v.created_by}</Table.Td>
                <Table.Td><Button size="compact-xs" variant="light" onClick={() => onReveal(v.version)} aria-label={`Reveal version ${v.version}`}>Reveal</Button></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </TableFrame>
      )}
    </Loaded>
  );
}
