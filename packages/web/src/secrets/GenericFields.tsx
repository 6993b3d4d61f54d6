// Generic secrets have free field names: rows of name and (masked) value. In edit mode the stored
// names are listed with blank values, which keep what is stored.
import { ActionIcon, Button, Checkbox, Group, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { IconPlus, IconTrash } from '../components/icons';
import type { GenericRow } from './formLogic';


export function GenericFields({ rows, onChange, errors }: { rows: GenericRow[]; onChange: (rows: GenericRow[]) => void; errors: Record<string, string> }) {
  const set = (i: number, patch: Partial<GenericRow>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <Stack gap="xs">
      <Text size="sm" fw={500}>Fields</Text>
      {rows.map((r, i) => (
        <Group key={i} align="flex-start" gap="xs" wrap="nowrap">
          <TextInput
            aria-label={`Field ${i + 1} name`} placeholder="field_name" value={r.key} readOnly={r.stored} flex={1}
            error={errors[r.key]} onChange={(e) => set(i, { key: e.currentTarget.value })} autoComplete="off" spellCheck={false}
          />
          <PasswordInput
            aria-label={`Field ${i + 1} value`} flex={1.4} value={r.value} disabled={r.remove} autoComplete="off" visibilityToggleFocusable
            placeholder={r.stored ? 'Unchanged' : 'value'} onChange={(e) => set(i, { value: e.currentTarget.value })}
          />
          {r.stored ? (
            <Checkbox mt={8} label="Remove" checked={!!r.remove} onChange={(e) => set(i, { remove: e.currentTarget.checked, value: '' })} />
          ) : (
            <ActionIcon mt={4} variant="subtle" color="gray" aria-label={`Remove field ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              <IconTrash size={16} />
            </ActionIcon>
          )}
        </Group>
      ))}
      <Button variant="subtle" size="xs" w="fit-content" leftSection={<IconPlus size={14} />} onClick={() => onChange([...rows, { key: '', value: '' }])}>
        Add field
      </Button>
    </Stack>
  );
}
