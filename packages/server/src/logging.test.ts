import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { createLogger, RequestLogger } from './logging.js';

async function serve(level: string) {
  const lines: Record<string, unknown>[] = [];
  const app = Fastify({
    loggerInstance: createLogger(level, { write: (s: string) => lines.push(JSON.parse(s)) }) as FastifyBaseLogger,
    childLoggerFactory: (logger: FastifyBaseLogger, bindings: Record<string, unknown>) => new RequestLogger(logger, bindings),
    genReqId: () => 'req-42',
  });
  app.get('/', async (req) => {
    req.log.info({ token: 'tok-secret' }, 'an info line');
    req.log.warn({ password: 'pw-secret' }, 'a warning');
    req.log.child({ part: 'inner' }).error('an error');
    return { ok: true };
  });
  await app.inject({ method: 'GET', url: '/' });
  await app.close();
  return lines;
}

describe('request loggers', () => {
  it('write what their level lets through, bound to the request id, with credentials redacted', async () => {
    const lines = await serve('warn');
    assert.deepEqual(lines.map((l) => l.msg), ['a warning', 'an error']);
    assert.ok(lines.every((l) => l.reqId === 'req-42'), "lines.every((l) => l.reqId === 'req-42')");
    assert.equal(lines[0]!.password, '[redacted]');
    assert.equal(lines[1]!.part, 'inner');
  });

  it('at info, also the request lines and info calls', async () => {
    const lines = await serve('info');
    const msgs = lines.map((l) => l.msg);
    for (const m of ['incoming request', 'an info line', 'a warning', 'an error', 'request completed']) assert.ok(msgs.includes(m), m);
    assert.ok(lines.every((l) => l.reqId === 'req-42'), "lines.every((l) => l.reqId === 'req-42')");
    assert.equal(lines.find((l) => l.msg === 'an info line')!.token, '[redacted]');
    assert.ok(!JSON.stringify(lines).includes('-secret'), "!JSON.stringify(lines).includes('-secret')");
  });

  it('work when the server has no logger at all', async () => {
    const app = Fastify({ logger: false, childLoggerFactory: (logger: FastifyBaseLogger, bindings: Record<string, unknown>) => new RequestLogger(logger, bindings) });
    app.get('/', async (req) => {
      req.log.error('nowhere to go');
      return { ok: true };
    });
    assert.equal((await app.inject({ method: 'GET', url: '/' })).statusCode, 200);
    await app.close();
  });
});
