import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { startBroker, type Broker, type BrokerOptions } from '../../../../src/xen/broker/server';

/** One broker on in-memory pipes, with helpers to send requests and wait for answers and events. */
export interface Harness {
  broker: Broker;
  input: PassThrough;
  /** Every message the broker wrote, parsed. */
  messages: Record<string, unknown>[];
  /** Sends a request and resolves with the response carrying its id. */
  request(op: string, args?: Record<string, unknown>, id?: number | string, opts?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Writes raw text to the broker's input. */
  raw(text: string): void;
  /** Resolves with the first message matching `pred` (already received or future). */
  waitFor(pred: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
}

let nextId = 1;

/** Starts a broker with `opts` (input/output supplied here). */
export function startHarness(opts: Omit<BrokerOptions, 'input' | 'output'>): Harness {
  const input = new PassThrough();
  const output = new PassThrough();
  const messages: Record<string, unknown>[] = [];
  const waiters: { pred: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  let buf = '';
  output.on('data', (b: Buffer) => {
    buf += b.toString();
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      const m = JSON.parse(buf.slice(0, nl)) as Record<string, unknown>;
      buf = buf.slice(nl + 1);
      messages.push(m);
      for (const w of [...waiters]) {
        if (!w.pred(m)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const broker = startBroker({ ...opts, input, output });
  const waitFor = (pred: (m: Record<string, unknown>) => boolean, timeoutMs = 5000): Promise<Record<string, unknown>> => {
    const seen = messages.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('timed out waiting for a broker message')), timeoutMs);
      waiters.push({ pred, resolve: (m) => (clearTimeout(t), resolve(m)) });
    });
  };
  return {
    broker,
    input,
    messages,
    raw: (text) => void input.write(text),
    waitFor,
    request(op, args = {}, id = nextId++, opts) {
      const p = waitFor((m) => m['id'] === id && 'ok' in m);
      input.write(`${JSON.stringify({ id, op, args, ...(opts !== undefined ? { opts } : {}) })}\n`);
      return p;
    },
  };
}

/** The error code of a broker response, or undefined when it succeeded. */
export const codeOf = (m: Record<string, unknown>): string | undefined => (m['ok'] === false ? (m['error'] as { code: string }).code : undefined);

/** What the fake programs wrote to their argv log so far ('' before the first): a refused request adds nothing. */
export function argvLogText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
