import http from 'node:http';
import https from 'node:https';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';
import { isIP } from 'node:net';
import { parseRetryAfter, type AttemptOutcome } from './retry-policy';
import { blockedRange } from './url-policy';

/** At most this much of a receiver's answer is read (and logged). */
export const MAX_RESPONSE_BYTES = 20 * 1024;

export interface SendResult extends AttemptOutcome {
  durationMs: number;
  responseBody: string | null;
}

/**
 * POSTs one webhook with node:http(s) (built-in fetch ignores http.Agent) through
 * request-filtering-agent, which checks the address actually dialled after DNS, so a name that
 * resolves to a loopback, private, link-local, metadata or reserved address is refused at connect
 * time (DNS rebinding included). Redirects are never followed (node:http does not), the whole
 * exchange is bounded by `timeoutMs`, and at most 20 kB of the answer is read.
 */
export class WebhookSender {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(private readonly allowedCidrs: readonly string[]) {
    // Keep-alive: a busy receiver gets its deliveries over a few reused (TLS) connections, each
    // address-checked when it was opened.
    const options = { allowIPAddressList: [...allowedCidrs], keepAlive: true, maxSockets: 64 };
    this.httpAgent = new RequestFilteringHttpAgent(options);
    this.httpsAgent = new RequestFilteringHttpsAgent(options);
  }

  send(url: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<SendResult> {
    const started = Date.now();
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const timer: { id?: NodeJS.Timeout } = {};
      /** Set once the status line arrived: a body still trickling at the deadline does not undo it. */
      let answered: (() => void) | undefined;
      const finish = (result: Omit<SendResult, 'durationMs'>) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer.id);
        resolve({ ...result, durationMs: Date.now() - started });
      };
      const failure = (errorKind: SendResult['errorKind']) => ({ statusCode: null, errorKind, retryAfterMs: null, responseBody: null });
      let request: http.ClientRequest;
      try {
        const target = new URL(url);
        // An address written in the URL is refused here, by the same rule the agent applies to
        // resolved names (so the log says blocked-address whatever wraps the socket).
        const literal = target.hostname.replace(/^\[|\]$/g, '');
        if (isIP(literal) !== 0 && blockedRange(literal, this.allowedCidrs) !== null) {
          finish(failure('blocked-address'));
          return;
        }
        const transport = target.protocol === 'https:' ? https : http;
        request = transport.request(target, {
          method: 'POST',
          agent: target.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        });
      } catch {
        finish(failure('connection'));
        return;
      }
      timer.id = setTimeout(() => {
        if (answered) answered();
        else finish(failure('timeout'));
        request.destroy();
      }, timeoutMs);
      request.on('error', (err: Error) => finish(failure(/is not allowed/.test(err.message) ? 'blocked-address' : 'connection')));
      request.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const statusCode = res.statusCode ?? 0;
        const done = () => {
          const ok = statusCode >= 200 && statusCode < 300;
          finish({
            statusCode,
            errorKind: ok ? null : 'http-status',
            retryAfterMs: parseRetryAfter(res.headers['retry-after']),
            // PostgreSQL text refuses NUL: a receiver's binary answer must not make the attempt unrecordable.
            responseBody: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8').replaceAll('\u0000', ''),
          });
          res.destroy();
        };
        answered = done;
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= MAX_RESPONSE_BYTES) done();
        });
        res.on('end', done);
        res.on('error', done);
      });
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
