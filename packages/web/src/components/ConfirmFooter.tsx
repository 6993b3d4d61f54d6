import { Button, Group } from '@mantine/core';

/** Cancel (focused first, so Enter does not destroy anything by accident) and a red confirm button. */
export function ConfirmFooter({ onCancel, onConfirm, busy, label = 'Delete' }: { onCancel: () => void; onConfirm: () => void; busy: boolean; label?: string }) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel} disabled={busy} data-autofocus>Cancel</Button>
      <Button color="red" onClick={onConfirm} loading={busy}>{label}</Button>
    </Group>
  );
}
