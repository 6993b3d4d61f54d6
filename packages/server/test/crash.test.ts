// Crash safety of filebased: the real server under concurrent creates, updates, deletes and value
// reads is killed with SIGKILL at a random moment, restarted on the same data, and checked
// (test/crash/verify.ts). npm test runs a few rounds; `npm run test:crash` runs 20 or more:
//   COFFER_CRASH_ROUNDS=N   how many kills (default 3)
//   COFFER_CRASH_SEED=S     the seed of the random choices (printed; timing still varies)
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { ADMIN_KEY, tempDir } from './helpers.js';
import { startServer, type ServerProcess } from './process.js';
import { startLoad } from './crash/load.js';
import { Model } from './crash/model.js';
import { verifyAfterRestart } from './crash/verify.js';

const ROUNDS = Number(process.env.COFFER_CRASH_ROUNDS ?? 3);
const SEED = Number(process.env.COFFER_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CLIENTS = 6;

/** mulberry32: small, seedable, good enough to pick operations and moments. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

it(`keeps every acknowledged write through ${ROUNDS} SIGKILLs under concurrent load (seed ${SEED})`, { timeout: 60_000 + ROUNDS * 60_000 }, async (t) => {
  const random = prng(SEED);
  const dir = tempDir('coffer-crash-');
  // The default synchronous=full, as users run it. No request limits: the load is far above them.
  const env = { SECRET_MANAGER_DATA_DIR: dir, SECRET_MANAGER_ADMIN_API_KEY: ADMIN_KEY, SECRET_MANAGER_ADMIN_PASSWORD: 'crash-test-password', SECRET_MANAGER_RATE_LIMIT_PER_KEY: '0', SECRET_MANAGER_RATE_LIMIT_PER_ADDRESS: '0' };
  const model = new Model();
  const problems: string[] = [];
  let server: ServerProcess = await startServer(env);
  const t0 = performance.now();
  let unanswered = 0;
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const load = startLoad({ url: server.url, key: ADMIN_KEY, model, clients: CLIENTS, round: `r${round}`, random });
      const before = model.acknowledged;
      await waitFor('writes to be acknowledged', () => model.acknowledged - before >= 20);
      await sleep(random() * 800);
      await server.stop('SIGKILL');
      load.stop();
      const result = await load.done;
      const inFlight = [...model.secrets.values()].filter((s) => s.pending).length;
      unanswered += inFlight;
      problems.push(...result.unexpected.map((u) => `round ${round}: unexpected answer: ${u}`));
      problems.push(...result.staleReads.map((u) => `round ${round}: stale read: ${u}`));

      server = await startServer(env);
      const f = await verifyAfterRestart({ dir, url: server.url, apiKey: ADMIN_KEY, model, round: `r${round}` });
      problems.push(...f.problems.map((p) => `round ${round}: ${p}`));
      t.diagnostic(`round ${round}: killed after ${model.acknowledged - before} acknowledged writes with ${inFlight} unanswered; ${f.versionsDecrypted} versions decrypt, ${f.auditEntries} audit entries verify`);
    }
  } finally {
    await server.stop();
  }
  t.diagnostic(`${ROUNDS} kills, ${model.acknowledged} acknowledged writes, ${unanswered} unanswered at a kill (${model.committedUnanswered} of them committed), ${model.secrets.size} secrets, ${((performance.now() - t0) / 1000).toFixed(1)} s, seed ${SEED}`);
  assert.deepEqual(problems, []);
});
