// The ceiling: a bare Fastify 5 server answering a fixed JSON object. Nothing a Node HTTP API
// does can be faster on this machine, so Coffer's figures are read as a fraction of this one.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const body = { access_key_id: 'AKIAEXAMPLE123', secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', region: 'us-east-1' };
app.get('/*', async () => body);
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
process.stdout.write(`listening on http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
