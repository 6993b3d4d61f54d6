// The only module that reads process.env. Everything else receives the frozen Config.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export type Keyring = { id: string; key: Buffer }[];

export interface Config {
  enabled: boolean;
  manager: 'filebased' | 'securestore';
  dataDir: string;
  databaseUrl: string | undefined;
  masterKeys: Keyring | undefined;
  host: string;
  port: number;
  adminEmail: string;
  adminPassword: string | undefined;
  adminApiKey: string | undefined;
  trashDays: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  sessionIdleMinutes: number;
  sessionAbsoluteHours: number;
  sqliteSynchronous: 'full' | 'normal';
  /** Bearer token that opens /metrics; unset: no /metrics at all. */
  metricsToken: string | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Coffer settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Canonical name → accepted aliases (the seed's h2oGPTe names). */
const ALIASES: Record<string, string[]> = {
  SECRET_MANAGER_ENABLED: ['H2OGPTE_SECRET_MANAGER_ENABLED'],
  SECRET_MANAGER: ['H2OGPTE_SECRET_MANAGER'],
};

const SETTINGS = [
  'SECRET_MANAGER_ENABLED', 'SECRET_MANAGER', 'SECRET_MANAGER_DATA_DIR', 'SECRET_MANAGER_DATABASE_URL',
  'SECRET_MANAGER_MASTER_KEY', 'SECRET_MANAGER_HOST', 'SECRET_MANAGER_PORT', 'SECRET_MANAGER_ADMIN_EMAIL',
  'SECRET_MANAGER_ADMIN_PASSWORD', 'SECRET_MANAGER_TRASH_DAYS', 'SECRET_MANAGER_ADMIN_API_KEY',
  'SECRET_MANAGER_LOG_LEVEL', 'SECRET_MANAGER_SESSION_IDLE_MINUTES', 'SECRET_MANAGER_SESSION_ABSOLUTE_HOURS',
  'SECRET_MANAGER_SQLITE_SYNCHRONOUS', 'SECRET_MANAGER_METRICS_TOKEN',
] as const;

type Env = Record<string, string | undefined>;

/** Read by the SDK, the CLI and the tests from the same environment: not server settings, not typos. */
const CLIENT_SETTINGS = new Set(['SECRET_MANAGER_URL', 'SECRET_MANAGER_API_KEY', 'SECRET_MANAGER_TEST_DATABASE_URL']);

/** A mistyped name would otherwise be ignored silently and its default used. */
function unknownNames(env: Env): string[] {
  const known = new Set<string>(CLIENT_SETTINGS);
  for (const n of SETTINGS) for (const c of [n, ...(ALIASES[n] ?? [])]) known.add(c).add(`${c}_FILE`);
  return Object.keys(env)
    .filter((k) => /^(H2OGPTE_)?SECRET_MANAGER/.test(k) && !known.has(k))
    .map((k) => `${k}: unknown setting (see the README for the list)`);
}

/** Resolves aliases and `*_FILE` indirection into one flat map of raw strings. */
function collectRaw(env: Env, problems: string[]): Record<string, string | undefined> {
  const raw: Record<string, string | undefined> = {};
  for (const name of SETTINGS) {
    const candidates = [name, ...(ALIASES[name] ?? [])];
    const found: { from: string; value: string }[] = [];
    for (const c of candidates) {
      const direct = env[c];
      const file = env[`${c}_FILE`];
      if (direct !== undefined && direct !== '') found.push({ from: c, value: direct });
      if (file !== undefined && file !== '') {
        try {
          found.push({ from: `${c}_FILE`, value: readFileSync(file, 'utf8').trim() });
        } catch (e) {
          problems.push(`${c}_FILE: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        }
      }
    }
    const distinct = new Set(found.map((f) => f.value));
    if (distinct.size > 1) {
      problems.push(`${name}: set more than once with different values (${found.map((f) => f.from).join(', ')})`);
    }
    raw[name] = found[0]?.value;
  }
  return raw;
}

const bool = z.enum(['true', 'false', 'TRUE', 'FALSE', 'True', 'False']).transform((v) => v.toLowerCase() === 'true');
const int = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.number().min(min).max(max));

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

export function parseKeyring(text: string): Keyring {
  const entries = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('is empty');
  const ring: Keyring = [];
  for (const [i, entry] of entries.entries()) {
    const colon = entry.indexOf(':');
    const id = colon === -1 ? 'default' : entry.slice(0, colon);
    const b64 = colon === -1 ? entry : entry.slice(colon + 1);
    if (!KEY_ID.test(id)) throw new Error(`entry ${i + 1}: key id must match ${KEY_ID.source}`);
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error(`entry ${i + 1} (${id}): not base64`);
    const key = Buffer.from(b64, 'base64');
    if (key.length !== 32) throw new Error(`entry ${i + 1} (${id}): must be 32 bytes, got ${key.length}`);
    if (ring.some((k) => k.id === id)) throw new Error(`key id ${id} appears twice`);
    ring.push({ id, key });
  }
  return ring;
}

const schema = z.object({
  SECRET_MANAGER_ENABLED: bool.default(true),
  SECRET_MANAGER: z.enum(['filebased', 'securestore']).default('filebased'),
  SECRET_MANAGER_DATA_DIR: z.string().default('./data'),
  SECRET_MANAGER_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
  SECRET_MANAGER_MASTER_KEY: z.string().optional(),
  SECRET_MANAGER_HOST: z.string().min(1).default('127.0.0.1'),
  SECRET_MANAGER_PORT: int(0, 65535).default(8080),
  // Like the default, an address may name a local host without a dot (admin@localhost).
  SECRET_MANAGER_ADMIN_EMAIL: z.string().max(254).regex(/^[^\s@]+@[^\s@]+$/, 'must be an email address').default('admin@localhost'),
  SECRET_MANAGER_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  SECRET_MANAGER_TRASH_DAYS: int(0, 3650).default(30),
  SECRET_MANAGER_ADMIN_API_KEY: z.string().min(32, 'must be at least 32 characters').max(256).optional(),
  SECRET_MANAGER_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SECRET_MANAGER_SESSION_IDLE_MINUTES: int(1, 24 * 60).default(30),
  SECRET_MANAGER_SESSION_ABSOLUTE_HOURS: int(1, 24 * 30).default(12),
  SECRET_MANAGER_SQLITE_SYNCHRONOUS: z.enum(['full', 'normal']).default('full'),
  SECRET_MANAGER_METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').max(512).regex(/^\S+$/, 'must not contain spaces').optional(),
});

/** Parses settings once; throws ConfigError listing every problem. */
export function loadConfig(env: Env = process.env): Readonly<Config> {
  const problems: string[] = unknownNames(env);
  const raw = collectRaw(env, problems);
  // zod treats a present-but-empty string as a value; unset means default.
  const input = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0]);
      // Never echo the value: some settings are keys and passwords.
      problems.push(`${name}: ${issue.message}`);
    }
  }
  let masterKeys: Keyring | undefined;
  if (raw.SECRET_MANAGER_MASTER_KEY !== undefined) {
    try {
      masterKeys = parseKeyring(raw.SECRET_MANAGER_MASTER_KEY);
    } catch (e) {
      problems.push(`SECRET_MANAGER_MASTER_KEY: ${(e as Error).message}`);
    }
  }
  const v = parsed.data;
  if (v?.SECRET_MANAGER === 'securestore') {
    if (!v.SECRET_MANAGER_DATABASE_URL) problems.push('SECRET_MANAGER_DATABASE_URL: required when SECRET_MANAGER=securestore');
    if (raw.SECRET_MANAGER_MASTER_KEY === undefined) {
      problems.push('SECRET_MANAGER_MASTER_KEY: required when SECRET_MANAGER=securestore (replicas must share it)');
    }
  }
  if (problems.length > 0 || !v) throw new ConfigError(problems);
  return Object.freeze({
    enabled: v.SECRET_MANAGER_ENABLED,
    manager: v.SECRET_MANAGER,
    dataDir: v.SECRET_MANAGER_DATA_DIR,
    databaseUrl: v.SECRET_MANAGER_DATABASE_URL,
    masterKeys,
    host: v.SECRET_MANAGER_HOST,
    port: v.SECRET_MANAGER_PORT,
    adminEmail: v.SECRET_MANAGER_ADMIN_EMAIL.toLowerCase(),
    adminPassword: v.SECRET_MANAGER_ADMIN_PASSWORD,
    adminApiKey: v.SECRET_MANAGER_ADMIN_API_KEY,
    trashDays: v.SECRET_MANAGER_TRASH_DAYS,
    logLevel: v.SECRET_MANAGER_LOG_LEVEL,
    sessionIdleMinutes: v.SECRET_MANAGER_SESSION_IDLE_MINUTES,
    sessionAbsoluteHours: v.SECRET_MANAGER_SESSION_ABSOLUTE_HOURS,
    sqliteSynchronous: v.SECRET_MANAGER_SQLITE_SYNCHRONOUS,
    metricsToken: v.SECRET_MANAGER_METRICS_TOKEN,
  });
}
