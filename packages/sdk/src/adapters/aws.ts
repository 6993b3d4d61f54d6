// Hands an s3 secret straight to the AWS SDK v3: `new S3Client({ region, credentials: fromCoffer("my-s3-secret") })`.
// The AWS SDK calls the provider when it needs credentials and again once they near `expiration`,
// so a rotated secret is picked up within refreshAfterMs, without a restart.
import type { SecretManager } from '../client.js';
import { SecretManagerFactory } from '../factory.js';

/** The shape of the AWS SDK's AwsCredentialIdentity (structural: no AWS dependency here). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}
export type AwsCredentialProvider = () => Promise<AwsCredentials>;

/** The AWS SDK refreshes credentials this long before their expiration. */
const AWS_REFRESH_WINDOW_MS = 5 * 60_000;

export interface FromCofferOptions {
  /** Default: SecretManagerFactory.create() (SECRET_MANAGER_URL, SECRET_MANAGER_API_KEY). */
  manager?: SecretManager;
  /** Read the secret again after this long. Default 10 minutes. */
  refreshAfterMs?: number;
}

export function fromCoffer(secretId: string, o: FromCofferOptions = {}): AwsCredentialProvider {
  const sm = o.manager ?? SecretManagerFactory.create();
  const refresh = o.refreshAfterMs ?? 10 * 60_000;
  return async () => {
    const v = await sm.getSecret(secretId, 's3');
    return {
      accessKeyId: v.access_key_id,
      secretAccessKey: v.secret_access_key,
      ...(v.session_token ? { sessionToken: v.session_token } : {}),
      expiration: new Date(Date.now() + refresh + AWS_REFRESH_WINDOW_MS),
    };
  };
}

/** Everything an S3Client needs from the secret: region, endpoint (S3-compatible stores) and credentials. */
export async function s3ClientConfigFromCoffer(secretId: string, o: FromCofferOptions = {}) {
  const sm = o.manager ?? SecretManagerFactory.create();
  const v = await sm.getSecret(secretId, 's3');
  return {
    region: v.region,
    ...(v.endpoint_url ? { endpoint: v.endpoint_url, forcePathStyle: true } : {}),
    credentials: fromCoffer(secretId, { ...o, manager: sm }),
  };
}
