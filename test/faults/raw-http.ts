import http from 'node:http';

export type Outcome = { kind: 'answered'; status: number; headers: http.IncomingHttpHeaders; body: string } | { kind: 'failed'; code: string };

/** One request on a fresh keep-alive connection (its own agent), reporting a socket error instead of throwing. */
export function requestOnFreshConnection(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; agent?: http.Agent } = {},
): Promise<Outcome> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const agent = options.agent ?? new http.Agent({ keepAlive: true, maxSockets: 1 });
  return new Promise((resolve) => {
    const req = http.request(
      `${baseUrl}${path}`,
      {
        method,
        agent,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ kind: 'answered', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'failed', code: err.code ?? err.message }));
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => resolve({ kind: 'failed', code: err.code ?? err.message }));
    req.end(payload);
  });
}
