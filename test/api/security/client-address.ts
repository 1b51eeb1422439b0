import { request } from 'node:http';

export interface AddressedResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

/**
 * POSTs JSON from a chosen loopback source address (the whole 127.0.0.0/8 is local on Linux), so a
 * test can be several clients without a proxy; `headers` may add X-Forwarded-For.
 */
export function postFrom(baseUrl: string, localAddress: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<AddressedResponse> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${baseUrl}${path}`,
      {
        method: 'POST',
        localAddress,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text && /json/.test(res.headers['content-type'] ?? '') ? JSON.parse(text) : text,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
