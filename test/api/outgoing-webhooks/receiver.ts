import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface Received {
  headers: http.IncomingHttpHeaders;
  /** The body exactly as sent (signatures are over these bytes). */
  raw: string;
  at: number;
}

/** What the receiver answers to the n-th request (0-based): a status (and headers), or 'hang' (never answers). */
export type Behaviour = (n: number, req: Received) => { status: number; headers?: Record<string, string>; body?: string } | 'hang';

/** A loopback receiver on 127.0.0.1:0 recording every request's raw body. */
export class Receiver {
  readonly requests: Received[] = [];
  behaviour: Behaviour = () => ({ status: 200, body: 'ok' });
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received = { headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      this.requests.push(received);
      const answer = this.behaviour(this.requests.length - 1, received);
      if (answer === 'hang') return;
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Waits until `count` requests arrived (or fails after `timeoutMs`). */
  /** 15 s: a child service beside two other workers' on a 2-core machine can take seconds to answer. */
  async waitFor(count: number, timeoutMs = 15_000): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > deadline) throw new Error(`expected ${count} webhook requests, got ${this.requests.length}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.requests;
  }
}

/** Verifies a request with the `standardwebhooks` package (the integrator's view); returns the parsed body. */
export function verify(secret: string, request: Received): Record<string, any> {
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  return new Webhook(secret.replace(/^whsec_/, '')).verify(request.raw, headers) as Record<string, any>;
}

export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
