// The list of secrets. On a narrow window the less important columns step aside; the name,
// type and actions always stay.
import { ActionIcon, Badge, Menu, Table, Text, Tooltip } from '@mantine/core';
import type { ConnectorType, SecretMeta } from '../api/types';
import { IconDots, IconEdit, IconEye, IconHistory, IconTrash } from '../components/icons';
import { TableFrame } from '../components/TableFrame';
import { SCOPE_LABEL, when } from '../format';
import { typeLabel } from './queries';

export type RowAction = 'reveal' | 'edit' | 'versions' | 'delete';

export function SecretsTable({ items, types, canManage, onAction }: { items: SecretMeta[]; types?: ConnectorType[]; canManage: boolean; onAction: (a: RowAction, s: SecretMeta) => void }) {
  return (
    <TableFrame label="Secrets" highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Name</Table.Th>
          <Table.Th>Connector type</Table.Th>
          <Table.Th visibleFrom="md">Scope</Table.Th>
          <Table.Th visibleFrom="sm">Description</Table.Th>
          <Table.Th visibleFrom="md">Updated</Table.Th>
          <Table.Th visibleFrom="lg" style={{ whiteSpace: 'nowrap' }}>Used by</Table.Th>
          <Table.Th w={56}><Text size="sm" fw={700} className="visually-hidden">Actions</Text></Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((s) => (
          <Table.Tr key={s.id} data-secret={s.id}>
            <Table.Td miw={130}><Text fw={500} size="sm" style={{ overflowWrap: 'anywhere' }}>{s.id}</Text></Table.Td>
            <Table.Td><Text size="sm">{typeLabel(types, s.secret_type)}</Text></Table.Td>
            <Table.Td visibleFrom="md" style={{ whiteSpace: 'nowrap' }}><Badge variant="light" tt="none" miw="max-content" color={s.scope === 'SYSTEM_SECRET' ? 'grape' : 'gray'}>{SCOPE_LABEL[s.scope]}</Badge></Table.Td>
            <Table.Td visibleFrom="sm"><Text size="sm" lineClamp={2}>{s.description || '—'}</Text></Table.Td>
            <Table.Td visibleFrom="md" style={{ whiteSpace: 'nowrap' }}>
              <Tooltip label={`${s.updated_at} by ${s.updated_by}`}><Text size="sm">{when(s.updated_at)}</Text></Tooltip>
            </Table.Td>
            <Table.Td visibleFrom="lg">
              {s.used_by.length ? (
                <Text size="sm">{s.used_by.map((c) => c.name).join(', ')}</Text>
              ) : <Text size="sm" c="dimmed">—</Text>}
            </Table.Td>
            <Table.Td>
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <ActionIcon variant="subtle" color="gray" aria-label={`Actions for ${s.id}`}><IconDots /></ActionIcon>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item leftSection={<IconEye size={16} />} onClick={() => onAction('reveal', s)}>Reveal</Menu.Item>
                  {canManage && <Menu.Item leftSection={<IconEdit size={16} />} onClick={() => onAction('edit', s)}>Edit</Menu.Item>}
                  <Menu.Item leftSection={<IconHistory size={16} />} onClick={() => onAction('versions', s)}>Versions</Menu.Item>
                  {canManage && (
                    <>
                      <Menu.Divider />
                      <Menu.Item color="red" leftSection={<IconTrash size={16} />} onClick={() => onAction('delete', s)}>Delete</Menu.Item>
                    </>
                  )}
                </Menu.Dropdown>
              </Menu>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </TableFrame>
  );
}
