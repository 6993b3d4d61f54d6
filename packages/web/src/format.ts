const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A readable local time; the exact ISO time goes in a title attribute beside it. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

export const SCOPE_LABEL: Record<string, string> = { USER_SECRET: 'User', SYSTEM_SECRET: 'System' };
