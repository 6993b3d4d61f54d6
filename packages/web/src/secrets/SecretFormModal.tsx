// + New Secret and Edit. The form is built from the connector type's fields. Edit never reads
// the stored value (that is Reveal's job, and audited as such): blank fields keep what is stored,
// and only what the user typed is sent, with PATCH.
import { Alert, Button, Checkbox, Fieldset, Group, Modal, Radio, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError } from '../api/client';
import type { ConnectorType, SecretMeta } from '../api/types';
import { ErrorAlert } from '../components/ErrorAlert';
import { FieldInput } from './FieldInput';
import { GenericFields } from './GenericFields';
import type { GenericRow } from './formLogic';
import { checkForm, fieldKey, formValue } from './formLogic';
import { useConnectorTypes } from './queries';

type Props = { opened: boolean; onClose: () => void } & ({ mode: 'create'; secret?: undefined } | { mode: 'edit'; secret: SecretMeta });


export function SecretFormModal(props: Props) {
  const narrow = useMediaQuery('(max-width: 40em)');
  const title = props.mode === 'create' ? 'New secret' : `Edit secret ${props.secret.id}`;
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={title} size="lg" fullScreen={!!narrow} closeButtonProps={{ 'aria-label': 'Close' }}>
      {props.opened && <SecretForm {...props} />}
    </Modal>
  );
}

function SecretForm(props: Props) {
  const types = useConnectorTypes();
  const qc = useQueryClient();
  const editing = props.mode === 'edit' ? props.secret : undefined;
  const [type, setType] = useState<string | null>(editing?.secret_type ?? null);
  const [name, setName] = useState(editing?.id ?? '');
  const [scope, setScope] = useState<string>(editing?.scope ?? 'USER_SECRET');
  const [description, setDescription] = useState(editing?.description ?? '');
  const [values, setValues] = useState<Record<string, string>>({});
  const [removed, setRemoved] = useState<Set<string>>(new Set());
  const [rows, setRows] = useState<GenericRow[]>(editing ? editing.fields.map((k) => ({ key: k, value: '', stored: true })) : [{ key: '', value: '' }]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const def: ConnectorType | undefined = types.data?.find((t) => t.type === type);
  const generic = !!def?.open_keys;
  useEffect(() => setErrors({}), [type]);

  if (types.isPending) return <Text>Loading connector types…</Text>;
  if (types.isError) return <ErrorAlert error={types.error} onRetry={() => types.refetch()} />;

  const check = () => checkForm({ creating: !editing, type, name, def, values, rows });
  const valueToSend = () => formValue({ def, values, removed, rows });

  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(null);
    const e = check();
    setErrors(e);
    if (Object.keys(e).length) return;
    const secret_value = valueToSend();
    const descriptionChanged = description !== (editing?.description ?? '');
    if (editing && Object.keys(secret_value).length === 0 && !descriptionChanged) {
      setError(new Error('Nothing to save: type a new value into a field, remove one, or change the description.'));
      return;
    }
    setBusy(true);
    try {
      if (editing) {
        await api('PATCH', `/secrets/${encodeURIComponent(editing.id)}`, {
          ...(Object.keys(secret_value).length ? { secret_value } : {}),
          ...(descriptionChanged ? { description } : {}),
        }, { headers: { 'if-match': `"${editing.version}"` } });
      } else {
        await api('POST', '/secrets', { secret_id: name, secret_type: type, scope, ...(description ? { description } : {}), secret_value });
      }
      await qc.invalidateQueries({ queryKey: ['secrets'] });
      notifications.show({ color: 'green', title: editing ? 'Secret updated' : 'Secret created', message: editing ? `${editing.id} now has a new version.` : `${name} is ready for connectors.` });
      props.onClose();
    } catch (err) {
      if (err instanceof ApiError) {
        const byField: Record<string, string> = {};
        for (const p of err.fieldProblems) byField[fieldKey(p.field)] = p.message;
        if (err.code === 'secret_exists') byField.secret_id = 'A secret with this name exists (perhaps in the trash)';
        setErrors(byField);
      }
      setError(err);
      setBusy(false);
    }
  };

  const typeOptions = (types.data ?? []).map((t) => ({ value: t.type, label: t.label }));
  return (
    <form onSubmit={submit} noValidate aria-label={editing ? 'Edit secret' : 'New secret'}>
      <Stack>
        {editing ? (
          <Text size="sm">
            Connector type: <b>{def?.label ?? editing.secret_type}</b> · version {editing.version}. Fields you leave blank keep their stored value.
          </Text>
        ) : (
          <>
            <Select
              label="Connector type" placeholder="Choose a connector type" data={typeOptions} value={type} onChange={setType}
              required allowDeselect={false} error={errors.secret_type} comboboxProps={{ withinPortal: true }} data-autofocus
            />
            <TextInput
              label="Name" required value={name} onChange={(e) => setName(e.currentTarget.value)} error={errors.secret_id}
              description="Connectors refer to the secret by this name. Use letters, digits, dots, dashes and underscores." autoComplete="off" spellCheck={false}
            />
            <Radio.Group label="Visible to" value={scope} onChange={setScope}>
              <Group mt={4}>
                <Radio value="USER_SECRET" label="Only me (user secret)" />
                <Radio value="SYSTEM_SECRET" label="Everyone who can read secrets (system secret)" />
              </Group>
            </Radio.Group>
          </>
        )}
        <Textarea label="Description" value={description} onChange={(e) => setDescription(e.currentTarget.value)} error={errors.description} autosize minRows={1} maxRows={4} />

        {def && (
          <Fieldset legend={`Credentials: ${def.label}`}>
            <Stack gap="sm">
              {generic ? (
                <>
                  <GenericFields rows={rows} onChange={setRows} errors={errors} />
                  {errors._generic && <Text c="red" size="sm">{errors._generic}</Text>}
                </>
              ) : (
                def.fields.map((f) => {
                  const stored = editing?.fields.includes(f.name);
                  return (
                    <Stack key={f.name} gap={2}>
                      <FieldInput
                        field={f} value={values[f.name] ?? ''} error={errors[f.name]}
                        onChange={(v) => setValues((s) => ({ ...s, [f.name]: v }))}
                        keepHint={editing ? (stored ? 'stored' : 'unset') : undefined}
                      />
                      {editing && stored && !f.required && (
                        <Checkbox
                          size="xs" label={`Remove ${f.label}`} checked={removed.has(f.name)}
                          onChange={(e) => {
                            const on = e.currentTarget.checked;
                            setRemoved((s) => {
                              const n = new Set(s);
                              if (on) n.add(f.name);
                              else n.delete(f.name);
                              return n;
                            });
                          }}
                        />
                      )}
                    </Stack>
                  );
                })
              )}
            </Stack>
          </Fieldset>
        )}
        {!def && !editing && <Alert variant="light" color="gray">Choose a connector type to see its credential fields.</Alert>}

        <ErrorAlert error={error} />
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose} disabled={busy}>Cancel</Button>
          <Button type="submit" loading={busy}>{editing ? 'Submit' : 'Create Secret'}</Button>
        </Group>
      </Stack>
    </form>
  );
}
