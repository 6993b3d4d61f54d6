// Raw TCP clients for what fetch cannot do: dribble a request, send broken HTTP, hold sockets open.
import net from 'node:net';

export interface RawResult {
  /** Everything the server sent before it closed the connection (or before `giveUpMs`). */
  text: string;
  /** Milliseconds from connecting until the server closed the connection; undefined if it did not. */
  closedAfterMs: number | undefined;
}

/**
 * Connects, writes `first`, then writes one of `drip` every `everyMs` until the server closes the
 * connection or `giveUpMs` passes.
 */
export function rawExchange(url: string, first: string | Buffer, opts: { drip?: string; everyMs?: number; giveUpMs?: number } = {}): Promise<RawResult> {
  const { port, hostname } = new URL(url);
  const giveUpMs = opts.giveUpMs ?? 10_000;
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = net.connect(Number(port), hostname);
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearInterval(timer);
      clearTimeout(giveUp);
      socket.destroy();
      resolve({ text, closedAfterMs: closed ? performance.now() - t0 : undefined });
    };
    const giveUp = setTimeout(() => finish(false), giveUpMs);
    socket.on('data', (d) => (text += String(d)));
    socket.on('error', () => undefined);
    socket.on('close', () => finish(true));
    socket.on('connect', () => {
      if (first.length > 0) socket.write(first);
      if (opts.drip !== undefined) {
        timer = setInterval(() => {
          if (!socket.destroyed) socket.write(opts.drip!);
        }, opts.everyMs ?? 200);
      }
    });
  });
}

/** The JSON body of a raw HTTP/1.1 answer. */
export function rawBody(text: string): unknown {
  const at = text.indexOf('\r\n\r\n');
  return at === -1 ? undefined : JSON.parse(text.slice(at + 4));
}
