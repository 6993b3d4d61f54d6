// The SDK's types are generated from the server's OpenAPI document. If a route or schema changes,
// this fails until the types are regenerated; tsc over the SDK (npm test's type check) then fails
// wherever the change breaks an SDK call.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { sdkTypes, TYPES_FILE } from '../../../scripts/sdk-types.js';

it('packages/sdk/src/generated/openapi.ts matches the API the server serves', async () => {
  const fresh = await sdkTypes();
  const committed = readFileSync(TYPES_FILE, 'utf8');
  if (fresh !== committed) {
    const a = committed.split('\n');
    const b = fresh.split('\n');
    const line = a.findIndex((l, i) => l !== b[i]);
    assert.fail(`The server's API changed and the SDK's types are stale (first difference at line ${line + 1}: ${JSON.stringify(a[line])} → ${JSON.stringify(b[line])}).\nRun \`npm run sdk:generate\`, then \`npm run typecheck\` to see which SDK calls the change breaks.`);
  }
});
