// One credential field of a connector type, built from GET /connector-types. Sensitive fields are
// masked with a show toggle; the long ones (key files, tokens) are textareas masked by CSS.
import { Box, Button, FileButton, Group, PasswordInput, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { ConnectorField } from '../api/types';
import { IconUpload } from '../components/icons';

export interface FieldInputProps {
  field: ConnectorField;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  /** Edit mode: blank keeps the stored value, so the field is not required and says so. */
  keepHint?: 'stored' | 'unset';
}

/** Fields that take a whole file: the GCS service-account key. */
const FILE_FIELDS = new Set(['service_account_json']);

export function FieldInput({ field, value, onChange, error, keepHint }: FieldInputProps) {
  const [shown, setShown] = useState(false);
  const [fileName, setFileName] = useState<string | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const required = field.required && !keepHint;
  const placeholder = keepHint === 'stored' ? 'Unchanged: leave blank to keep the stored value' : keepHint === 'unset' ? 'Not set' : undefined;
  const description = [field.help, keepHint === 'stored' && field.sensitive ? 'The stored value is never shown here.' : undefined].filter(Boolean).join(' ') || undefined;
  const common = {
    label: field.label, required, error: error ?? fileError ?? undefined, placeholder, description,
    autoComplete: 'off', spellCheck: false, 'data-field': field.name,
  };

  const readFile = async (file: File | null) => {
    setFileError(null);
    if (!file) return;
    if (file.size > 64 * 1024) {
      setFileError('The file is larger than 64 KiB; a service-account key file is much smaller.');
      return;
    }
    onChange((await file.text()).trim());
    setFileName(file.name);
  };

  if (field.input === 'textarea') {
    const masked = field.sensitive && !shown;
    return (
      <Box className={masked ? 'masked' : undefined}>
        <Textarea
          {...common}
          autosize minRows={FILE_FIELDS.has(field.name) ? 4 : 2} maxRows={10}
          value={value}
          onChange={(e) => {
            setFileName(null);
            onChange(e.currentTarget.value);
          }}
          styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } }}
        />
        <Group gap="xs" mt={4}>
          {field.sensitive && (
            <Button size="compact-xs" variant="subtle" onClick={() => setShown((s) => !s)} aria-pressed={shown} aria-label={`${shown ? 'Hide' : 'Show'} ${field.label}`}>
              {shown ? 'Hide' : 'Show'}
            </Button>
          )}
          {FILE_FIELDS.has(field.name) && (
            <FileButton onChange={readFile} accept="application/json,.json">
              {(props) => (
                <Button {...props} size="compact-xs" variant="light" leftSection={<IconUpload size={14} />}>
                  Upload key file (.json)
                </Button>
              )}
            </FileButton>
          )}
          {fileName && <Text size="xs" c="dimmed">Loaded {fileName}</Text>}
        </Group>
      </Box>
    );
  }
  if (field.sensitive) {
    return (
      <PasswordInput
        {...common}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
        visibilityToggleFocusable
        visibilityToggleButtonProps={{ 'aria-label': `Show or hide ${field.label}` }}
      />
    );
  }
  return <TextInput {...common} type={field.input === 'url' ? 'url' : 'text'} value={value} onChange={(e) => onChange(e.currentTarget.value)} />;
}
