import Stripe from 'stripe';

type HttpClient = InstanceType<typeof Stripe.HttpClient>;
type HttpClientResponse = Awaited<ReturnType<HttpClient['makeRequest']>>;

/**
 * Stripe's Node HTTP client with a cap on the response body: an oversized answer is refused
 * (and the socket dropped) instead of being buffered whole. Node's http never follows redirects,
 * so a 3xx reaches the SDK as an error status.
 */
export class BoundedHttpClient extends Stripe.HttpClient {
  private readonly inner: HttpClient = Stripe.createNodeHttpClient();

  constructor(private readonly maxBytes: number) {
    super();
  }

  override getClientName(): string {
    return 'node-bounded';
  }

  override async makeRequest(...args: Parameters<HttpClient['makeRequest']>): Promise<BoundedResponse> {
    const response = await this.inner.makeRequest(...args);
    return new BoundedResponse(response, this.maxBytes);
  }
}

class BoundedResponse extends Stripe.HttpClientResponse {
  constructor(
    private readonly inner: HttpClientResponse,
    private readonly maxBytes: number,
  ) {
    super(inner.getStatusCode(), inner.getHeaders());
  }

  override getRawResponse(): unknown {
    return this.inner.getRawResponse();
  }

  override toStream(done: () => void): unknown {
    return this.inner.toStream(done);
  }

  override toJSON(): Promise<unknown> {
    const raw = this.inner.getRawResponse() as NodeJS.ReadableStream & { destroy(err?: Error): void };
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      raw.on('data', (chunk: Buffer | string) => {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        size += buf.length;
        if (size > this.maxBytes) {
          const err = Object.assign(new Error(`response larger than ${this.maxBytes} bytes`), { oversized: true });
          raw.destroy(err);
          reject(err);
          return;
        }
        chunks.push(buf);
      });
      raw.once('error', reject);
      raw.once('end', () => {
        try {
          resolve(this._parseResponseBody(Buffer.concat(chunks).toString('utf8')));
        } catch (err) {
          reject(err);
        }
      });
    });
  }
}
