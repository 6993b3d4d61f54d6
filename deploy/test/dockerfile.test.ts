// deploy/Dockerfile, checked without a Docker engine (none runs on this machine, so the image has
// NOT been built here). The Dockerfile is parsed, its COPY steps are replayed over the repository
// through .dockerignore, and the server's and CLI's import graphs are walked over the result: every
// file they load must be in the image, and every package they import must be a production
// dependency (the runtime stage gets `npm ci --omit=dev`).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DOCKERFILE = path.join(ROOT, 'deploy/Dockerfile');

interface Instruction {
  op: string;
  args: string;
}
interface Stage {
  image: string;
  name: string;
  steps: Instruction[];
}

/** Instructions by stage, with line continuations joined, comments dropped and ARG defaults applied. */
function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, op, rest] = /^(\S+)\s+(.*)$/.exec(line)!;
    const upper = op!.toUpperCase();
    const expanded = rest!.replace(/\$\{(\w+)\}/g, (_, n: string) => args[n] ?? `\${${n}}`);
    if (upper === 'ARG' && stages.length === 0) {
      const [n, v] = rest!.split('=');
      args[n!] = v ?? '';
    } else if (upper === 'FROM') {
      const [image, as, name] = expanded.split(/\s+/);
      assert.equal(as?.toUpperCase(), 'AS', `FROM ${expanded}: every stage is named`);
      stages.push({ image: image!, name: name!, steps: [] });
    } else {
      stages.at(-1)!.steps.push({ op: upper, args: expanded });
    }
  }
  return { args, stages };
}

/** Docker's .dockerignore: Go filepath.Match patterns with **, matched on a path or any parent, last match wins. */
function dockerignore(): (rel: string) => boolean {
  const rules = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const compiled = rules.map((r) => {
    const negate = r.startsWith('!');
    const glob = (negate ? r.slice(1) : r).replace(/^\/+/, '');
    const re = glob.split('/').map((seg) => (seg === '**' ? '.*' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))).join('/');
    return { negate, re: new RegExp(`^${re.replace(/\.\*\//g, '(?:.*/)?')}$`) };
  });
  return (rel) => {
    const parts = rel.split('/');
    let excluded = false;
    for (const { negate, re } of compiled) {
      for (let i = 1; i <= parts.length; i++) if (re.test(parts.slice(0, i).join('/'))) excluded = !negate;
    }
    return excluded;
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** The runtime image's files (image path → repository path), replaying the runtime stage's COPY --from=build. */
function imageFiles(runtime: Stage): { files: Map<string, string>; fromDeps: string[]; fromContext: string[] } {
  const ignored = dockerignore();
  const files = new Map<string, string>();
  const fromDeps: string[] = [];
  const fromContext: string[] = [];
  let workdir = '/';
  for (const s of runtime.steps) {
    if (s.op === 'WORKDIR') workdir = path.posix.resolve(workdir, s.args);
    if (s.op !== 'COPY') continue;
    const words = s.args.split(/\s+/);
    const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
    const paths = words.filter((w) => !w.startsWith('--'));
    const dest = path.posix.resolve(workdir, paths.pop()!);
    if (from === 'deps') {
      fromDeps.push(dest);
      continue;
    }
    if (from !== 'build') {
      fromContext.push(s.args);
      continue;
    }
    for (const src of paths) {
      const rel = path.posix.relative('/src', src);
      const abs = path.join(ROOT, rel);
      if (rel === 'packages/server/dist') {
        // Made by the build stage's `npm run build`: tsc turns src/X.ts into dist/X.js; the worker entry is copied.
        for (const f of walk(path.join(ROOT, 'packages/server/src'))) {
          const fileRel = path.relative(ROOT, f).split(path.sep).join('/');
          if (ignored(fileRel) || !/\.(ts|mjs)$/.test(fileRel)) continue;
          files.set(path.posix.join(dest, path.posix.relative('packages/server/src', fileRel).replace(/\.ts$/, '.js')), fileRel);
        }
        continue;
      }
      if (!existsSync(abs)) continue; // produced by the build stage (packages/web/dist)
      const many = paths.length > 1 || dest.endsWith('/');
      for (const f of statSync(abs).isDirectory() ? walk(abs) : [abs]) {
        const fileRel = path.relative(ROOT, f).split(path.sep).join('/');
        if (ignored(fileRel)) continue;
        const under = statSync(abs).isDirectory() ? path.posix.join(dest, path.posix.relative(rel, fileRel)) : many ? path.posix.join(dest, path.posix.basename(fileRel)) : dest;
        files.set(under, fileRel);
      }
    }
  }
  return { files, fromDeps, fromContext };
}

// Static and dynamic imports, and files loaded by URL (worker threads: new URL('./x.mjs', import.meta.url)).
const IMPORT = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|new URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url/gm;
const BUILTIN = new Set(builtinModules);
const packageName = (spec: string) => (spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);

/** Walks imports from the entry files over the image: what would fail to load in the container, and what loaded. */
function missingAtRuntime(entries: string[], files: Map<string, string>): { problems: string[]; loaded: Set<string> } {
  const problems: string[] = [];
  const seen = new Set<string>();
  const owner = (imagePath: string) => /^\/app\/packages\/([^/]+)\//.exec(imagePath)?.[1];
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const repo = files.get(file);
    if (!repo) {
      problems.push(`${file} is not in the image`);
      continue;
    }
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'packages', owner(file)!, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const m of readFileSync(path.join(ROOT, repo), 'utf8').matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2] ?? m[3])!;
      if (spec.startsWith('.')) {
        // tsx maps the .js of NodeNext imports to the .ts source; compiled, the .ts is a .js.
        const target = path.posix.resolve(path.posix.dirname(file), spec);
        const swapped = target.endsWith('.js') ? target.replace(/\.js$/, '.ts') : target.replace(/\.ts$/, '.js');
        queue.push(files.has(target) ? target : swapped);
      } else if (spec.startsWith('node:') || BUILTIN.has(spec)) {
        continue;
      } else if (spec.startsWith('@coffer/')) {
        const dir = `/app/packages/${spec.slice('@coffer/'.length)}`;
        if (!files.has(`${dir}/package.json`)) {
          problems.push(`${file} imports ${spec}, whose package is not in the image`);
          continue;
        }
        const ws = JSON.parse(readFileSync(path.join(ROOT, files.get(`${dir}/package.json`)!), 'utf8')) as { main?: string; exports?: { '.': string } };
        queue.push(path.posix.join(dir, ws.exports?.['.'] ?? ws.main ?? 'index.js'));
        if (!pkg.dependencies?.[spec]) problems.push(`${file} imports ${spec}, not a dependency of its package`);
      } else if (!pkg.dependencies?.[packageName(spec)]) {
        problems.push(`${file} imports ${spec}: not a production dependency of packages/${owner(file)} (npm ci --omit=dev leaves it out)`);
      }
    }
  }
  return { problems, loaded: seen };
}

describe('deploy/Dockerfile (checked statically: no Docker engine here, the image was not built)', () => {
  const { args, stages } = parseDockerfile(readFileSync(DOCKERFILE, 'utf8'));
  const stage = (name: string) => stages.find((s) => s.name === name) ?? assert.fail(`no stage ${name}`);
  const runtime = stages.at(-1)!;
  const runs = (s: Stage) => s.steps.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');

  it('is multi-stage on pinned Node 20 slim (bookworm) images, never latest', () => {
    assert.ok(stages.length >= 3, 'deps, build and runtime stages');
    assert.equal(runtime.name, 'runtime');
    const names = new Set<string>();
    for (const s of stages) {
      assert.ok(names.has(s.image) || /^node:20(\.\d+){0,2}-bookworm-slim(@sha256:[a-f0-9]{64})?$/.test(s.image), `${s.name}: FROM ${s.image}`);
      names.add(s.name);
    }
    assert.equal(stage('toolchain').image, runtime.image, 'compiled on the same base it runs on (glibc, Node ABI)');
    assert.ok(!/latest/i.test(readFileSync(DOCKERFILE, 'utf8')), 'no latest tag anywhere');
    assert.ok(Object.values(args).every((v) => !/:latest$/.test(v)), 'Object.values(args).every((v) => !/:latest$/.test(v))');
  });

  it('compiles better-sqlite3 from source in a build stage and ships production dependencies only', () => {
    const toolchain = stage('toolchain');
    assert.match(runs(toolchain), /apt-get install -y --no-install-recommends python3 make g\+\+/);
    assert.ok(toolchain.steps.some((i) => i.op === 'ENV' && /npm_config_build_from_source=true/.test(i.args)), "toolchain.steps.some((i) => i.op === 'ENV' && /npm_config_build_from_source=true/.test(i.args))");
    assert.match(runs(stage('deps')), /npm ci --omit=dev/);
    assert.match(runs(stage('build')), /npm run build --workspaces --if-present/);
    assert.doesNotMatch(runs(runtime), /npm (ci|install)|apt-get|g\+\+/, 'no installs or compilers in the runtime stage');
  });

  it('runs as a fixed non-root user, the one the Helm chart expects', () => {
    const users = runtime.steps.filter((i) => i.op === 'USER');
    const last = users.at(-1)?.args ?? 'root';
    const [uid, gid] = last.split(':');
    assert.match(uid!, /^[1-9]\d*$/, 'a numeric uid, so runAsNonRoot can check it');
    const lastUser = runtime.steps.lastIndexOf(users.at(-1)!);
    assert.ok(runtime.steps.slice(lastUser).every((i) => i.op !== 'RUN'), 'nothing runs as root after USER');
    const chart = parse(readFileSync(path.join(ROOT, 'deploy/helm/coffer/values.yaml'), 'utf8')) as { securityContext: { runAsUser: number; runAsGroup: number } };
    assert.deepEqual([Number(uid), Number(gid)], [chart.securityContext.runAsUser, chart.securityContext.runAsGroup]);
    const env = runtime.steps.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    assert.match(env, /SECRET_MANAGER_DATA_DIR=\/var\/lib\/coffer/, 'the data dir the chart mounts its volume on');
    assert.match(env, /SECRET_MANAGER_HOST=0\.0\.0\.0/, 'reachable from outside the container');
    assert.ok(runtime.steps.some((i) => i.op === 'HEALTHCHECK' && i.args.includes('/healthz')), "runtime.steps.some((i) => i.op === 'HEALTHCHECK' && i.args.includes('/healthz'))");
  });

  it('copies every file the server and the CLI load, and nothing straight from the build context', () => {
    const { files, fromDeps, fromContext } = imageFiles(runtime);
    assert.deepEqual(fromContext, [], 'the runtime stage copies only from the deps and build stages');
    assert.ok(fromDeps.includes('/app/node_modules'), "fromDeps.includes('/app/node_modules')");
    const cmd = runtime.steps.filter((i) => i.op === 'CMD').at(-1)!;
    const argv = JSON.parse(cmd.args) as string[];
    assert.deepEqual(argv.slice(0, 1), ['node'], 'exec form: node is PID 1 and gets SIGTERM');
    const workdir = runtime.steps.filter((i) => i.op === 'WORKDIR').at(-1)!.args;
    const flags = argv.slice(1).filter((a) => a.startsWith('-'));
    const entry = path.posix.resolve(workdir, argv[1 + flags.length]!);
    assert.equal(entry, '/app/packages/server/dist/main.js', 'the compiled server, not tsx');
    const start = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    assert.ok(start.includes(`node ${[...flags, 'packages/server/dist/main.js'].join(' ')}`), `the image runs node with the flags of npm start (${start})`);
    const { problems, loaded } = missingAtRuntime([entry, '/app/packages/cli/bin/coffer.js'], files);
    assert.deepEqual(problems, []);
    for (const f of ['/app/packages/server/dist/app.js', '/app/packages/server/dist/metrics/metrics.js', '/app/packages/server/dist/audit/audit.worker.js', '/app/packages/cli/src/local.ts', '/app/packages/server/src/index.ts', '/app/packages/server/src/audit/audit.worker.mjs']) {
      assert.ok(loaded.has(f), `the walk reached ${f}`);
    }
    for (const f of files.keys()) assert.ok(!/\.test\.ts$|\/test\/|master\.key|\.env/.test(f), `${f} does not belong in the image`);
  });

  it('the import walk finds a missing file and a dev-only dependency (so the check above can fail)', () => {
    const files = new Map([['/app/packages/server/src/main.ts', 'packages/server/src/main.ts']]);
    const { problems } = missingAtRuntime(['/app/packages/server/src/main.ts'], files);
    assert.ok(problems.some((p) => /\/app\/packages\/server\/src\/app\.ts is not in the image/.test(p)), problems.join('\n'));
    // A server file that imported a root devDependency (ajv, used by these tests) would crash the container.
    const { files: all } = imageFiles(runtime);
    const withDevImport = new Map([...all, ['/app/packages/server/src/x.ts', 'deploy/test/helm.ts']]);
    assert.match(missingAtRuntime(['/app/packages/server/src/x.ts'], withDevImport).problems.join('\n'), /imports ajv: not a production dependency of packages\/server/);
  });

  it('.dockerignore keeps local data, keys, env files and node_modules out of the build', () => {
    const ignored = dockerignore();
    for (const p of ['node_modules/x/index.js', 'packages/server/node_modules/y.js', '.git/config', 'data/coffer.db', 'data/master.key', 'packages/server/data/coffer.db', 'packages/server/src/foo.key', '.env', 'packages/web/.env.local', 'packages/web/dist/index.html', 'packages/server/src/config.test.ts']) {
      assert.ok(ignored(p), `${p} must be ignored`);
    }
    for (const p of ['package.json', 'package-lock.json', 'packages/server/src/main.ts', 'packages/cli/bin/coffer.js', 'packages/web/package.json', 'deploy/Dockerfile']) {
      assert.ok(!ignored(p), `${p} must reach the build`);
    }
  });
});
