import { Alert } from '@mantine/core';

/** A screen the account may not use: say why instead of showing nothing. */
export function Forbidden({ what, reason }: { what: string; reason: string }) {
  return (
    <Alert color="yellow" title={`${what} is not available`} role="alert">
      {reason}
    </Alert>
  );
}
