// SecretManagerFactory.create(): the seed's entry point. Settings come from the options, else from
// SECRET_MANAGER_URL and SECRET_MANAGER_API_KEY, the same variables the CLI reads.
import { createApi } from './api.js';
import { SecretManager } from './client.js';
import { ConfigurationError } from './errors.js';
import { createTransport, type RetryOptions } from './transport.js';

export interface SecretManagerOptions extends RetryOptions {
  /** The server, e.g. https://coffer.example.com (the /api/v1 part is added). */
  url?: string;
  apiKey?: string;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
  /** Where to read SECRET_MANAGER_URL and SECRET_MANAGER_API_KEY; process.env by default. */
  env?: Record<string, string | undefined>;
  fetch?: typeof globalThis.fetch;
  userAgent?: string;
}

function serverUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new ConfigurationError(`SECRET_MANAGER_URL is not a URL: '${raw}'.`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ConfigurationError('SECRET_MANAGER_URL must start with http:// or https://.');
  if (u.username || u.password) throw new ConfigurationError('SECRET_MANAGER_URL must not contain credentials; put the API key in SECRET_MANAGER_API_KEY.');
  // Accept the API base too (…/api/v1): paths in the generated types start with /api/v1.
  return `${u.origin}${u.pathname.replace(/\/+$/, '').replace(/\/api\/v1$/, '')}`;
}

export const SecretManagerFactory = {
  create(options: SecretManagerOptions = {}): SecretManager {
    const env = options.env ?? process.env;
    const url = options.url ?? env.SECRET_MANAGER_URL;
    const apiKey = options.apiKey ?? env.SECRET_MANAGER_API_KEY;
    const missing = [!url && 'SECRET_MANAGER_URL (the server, e.g. https://coffer.example.com)', !apiKey && 'SECRET_MANAGER_API_KEY (an API key: coffer_…)'].filter(Boolean);
    if (missing.length) throw new ConfigurationError(`Set ${missing.join(' and ')}, or pass them as options.`);
    const transport = createTransport({ ...options, apiKey: apiKey! });
    return new SecretManager(createApi(serverUrl(url!), transport));
  },
};
