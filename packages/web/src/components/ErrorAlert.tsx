// Every API failure is shown in words: the server's message, each field problem, and a way on.
import { Alert, Button, Group, List, Text } from '@mantine/core';
import { ApiError } from '../api/client';
import { IconAlert } from './icons';

const TITLES: Record<string, string> = {
  network_error: 'The server cannot be reached',
  validation_error: 'Some values need fixing',
  permission_denied: 'Not allowed',
  csrf_failed: 'Please reload the page',
  secret_in_use: 'The secret is in use',
  secret_exists: 'That name is taken',
  version_mismatch: 'Changed by someone else',
  rate_limited: 'Too many attempts',
  secret_manager_disabled: 'Secret Manager is disabled',
  payload_too_large: 'Too large',
};

export function errorTitle(e: unknown): string {
  if (e instanceof ApiError) return TITLES[e.code] ?? (e.status >= 500 ? 'The server had a problem' : 'That did not work');
  return 'Something went wrong';
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.message;
  return (e as Error)?.message || 'An unexpected error happened.';
}

export function ErrorAlert({ error, onRetry, title }: { error: unknown; onRetry?: () => void; title?: string }) {
  if (!error) return null;
  const problems = error instanceof ApiError ? error.fieldProblems : [];
  return (
    <Alert color="red" variant="light" title={title ?? errorTitle(error)} icon={<IconAlert />} role="alert">
      <Text size="sm">{errorText(error)}</Text>
      {problems.length > 1 && (
        <List size="sm" mt="xs">
          {problems.map((p) => <List.Item key={p.field + p.message}>{p.field.replace(/^(body|query)\./, '')}: {p.message}</List.Item>)}
        </List>
      )}
      {onRetry && (
        <Group mt="sm">
          <Button size="xs" variant="light" color="red" onClick={onRetry}>Try again</Button>
        </Group>
      )}
    </Alert>
  );
}
