// Which provider opens which connector type. Generic secrets have none: Coffer cannot know what they open.
// The vendor SDKs are loaded on first use: together they took most of the server's start-up time
// and a third of its memory, for a feature a server may never use.
import type { Provider } from './types.js';

function lazy(load: () => Promise<Provider>): Provider {
  let loaded: Promise<Provider> | undefined;
  const provider = () => (loaded ??= load());
  return {
    check: async (...a) => (await provider()).check(...a),
    list: async (...a) => (await provider()).list(...a),
    read: async (...a) => (await provider()).read(...a),
  };
}

const azure = lazy(async () => (await import('./azure.js')).azureProvider);

export const PROVIDERS: Record<string, Provider> = {
  s3: lazy(async () => (await import('./s3.js')).s3Provider),
  azure_key: azure,
  azure_sas: azure,
  gcs: lazy(async () => (await import('./gcs.js')).gcsProvider),
  sharepoint_online: lazy(async () => (await import('./sharepoint-online.js')).sharepointOnlineProvider),
  sharepoint_on_premise: lazy(async () => (await import('./sharepoint-onprem.js')).sharepointOnPremProvider),
  confluence: lazy(async () => (await import('./confluence.js')).confluenceProvider),
};

export const CONNECTOR_TYPES = Object.keys(PROVIDERS) as [string, ...string[]];
