// @coffer/sdk: the TypeScript client of Coffer (Node 20+, no server dependencies).
export { SecretManager, SecretTypeMismatchError, type CreateSecretInput, type WriteOptions } from './client.js';
export { ConnectorsApi, type CreateConnectorInput, type ObjectDownload } from './connectors.js';
export * from './errors.js';
export { SecretManagerFactory, type SecretManagerOptions } from './factory.js';
export type { RetryOptions } from './transport.js';
export * from './types.js';
export { fromCoffer, s3ClientConfigFromCoffer, type AwsCredentials, type AwsCredentialProvider } from './adapters/aws.js';
// The Azure adapters live at the entry point @coffer/sdk/azure: they need @azure/storage-blob, an optional peer.
