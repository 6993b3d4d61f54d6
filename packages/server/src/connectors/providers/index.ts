// Which provider opens which connector type. Generic secrets have none: Coffer cannot know what they open.
import { azureProvider } from './azure.js';
import { confluenceProvider } from './confluence.js';
import { gcsProvider } from './gcs.js';
import { s3Provider } from './s3.js';
import { sharepointOnlineProvider } from './sharepoint-online.js';
import { sharepointOnPremProvider } from './sharepoint-onprem.js';
import type { Provider } from './types.js';

export const PROVIDERS: Record<string, Provider> = {
  s3: s3Provider,
  azure_key: azureProvider,
  azure_sas: azureProvider,
  gcs: gcsProvider,
  sharepoint_online: sharepointOnlineProvider,
  sharepoint_on_premise: sharepointOnPremProvider,
  confluence: confluenceProvider,
};

export const CONNECTOR_TYPES = Object.keys(PROVIDERS) as [string, ...string[]];
