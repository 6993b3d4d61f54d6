// Seeds a fresh store with N secrets through the real services (so every row is encrypted and
// audited as in production), before the server under test starts on the same data.
import { loadConfig, openCoffer, PERMISSION_IDS, systemActor } from '@coffer/server';

export const TYPES = ['s3', 'azure_key', 'generic'] as const;

export function valueFor(type: (typeof TYPES)[number], i: number): Record<string, string> {
  if (type === 's3') return { access_key_id: `AKIA${String(i).padStart(12, '0')}`, secret_access_key: `secret-${i}-wJalrXUtnFEMIK7MDENG`, region: 'us-east-1' };
  if (type === 'azure_key') return { account_name: `acct${i % 100000}`, account_key: Buffer.from(`key-${i}`).toString('base64') };
  return { token: `token-${i}`, user: `svc-${i}` };
}

export const idFor = (i: number) => `bench-${String(i).padStart(6, '0')}`;
export const typeFor = (i: number) => TYPES[i % TYPES.length]!;

export async function seed(env: Record<string, string>, count: number, onProgress?: (n: number) => void): Promise<void> {
  const coffer = await openCoffer(loadConfig({ ...env, SECRET_MANAGER_SQLITE_SYNCHRONOUS: 'normal' }));
  try {
    const actor = systemActor('bench-seed', PERMISSION_IDS);
    for (let i = 0; i < count; i++) {
      await coffer.secrets.create(actor, { secret_id: idFor(i), secret_type: typeFor(i), secret_value: valueFor(typeFor(i), i), scope: 'SYSTEM_SECRET' });
      if (onProgress && i % 5000 === 4999) onProgress(i + 1);
    }
  } finally {
    await coffer.close();
  }
}
