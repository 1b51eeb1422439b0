import { expect } from 'chai';
import { loadConfig } from '../../../src/platform/config';
import { rawRequest } from '../../support/api';
import { startSecondService } from '../../support/services';

const TOKEN = 'metrics-token-0123456789abcdef';

async function get(url: string, token?: string) {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function withService(env: Record<string, string>, fn: (s: { baseUrl: string; metricsPort: number | null }) => Promise<void>) {
  const server = await startSecondService(env);
  try {
    await fn({ baseUrl: server.baseUrl, metricsPort: server.metricsPort });
  } finally {
    await server.stop();
  }
}

describe('/metrics is not public', () => {
  it('is not served on the public port in production without METRICS_TOKEN, while documents and docs stay public', async function () {
    this.timeout(30_000);
    await withService({ NODE_ENV: 'production' }, async ({ baseUrl, metricsPort }) => {
      const metrics = await get(`${baseUrl}/metrics`);
      expect(metrics.status).to.equal(404);
      expect(metrics.type).to.include('application/problem+json');
      expect(metrics.text).not.to.include('nodejs_version_info');
      expect(metricsPort).to.equal(null);
      expect((await get(`${baseUrl}/openapi.json`)).status).to.equal(200);
      expect((await get(`${baseUrl}/asyncapi.json`)).status).to.equal(200);
      expect((await get(`${baseUrl}/docs/`)).status).to.equal(200);
    });
  });

  it('answers only the bearer METRICS_TOKEN on the public port, and serves METRICS_PORT on 127.0.0.1 without one', async function () {
    this.timeout(30_000);
    await withService({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN, METRICS_PORT: '0' }, async ({ baseUrl, metricsPort }) => {
      const none = await get(`${baseUrl}/metrics`);
      expect(none.status).to.equal(401);
      expect(none.type).to.include('application/problem+json');
      expect((await get(`${baseUrl}/metrics`, `${TOKEN}x`)).status).to.equal(401);
      const ok = await get(`${baseUrl}/metrics`, TOKEN);
      expect(ok.status).to.equal(200);
      expect(ok.text).to.include('quickstock_http_request_duration_seconds');

      expect(metricsPort).to.be.a('number');
      const side = await get(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(side.status).to.equal(200);
      expect(side.text).to.include('nodejs_version_info');
      expect((await get(`http://127.0.0.1:${metricsPort}/api/v1/products`)).status).to.equal(404);
    });
  });

  it('refuses a short METRICS_TOKEN at start-up', () => {
    expect(() => loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'postgres://x@localhost/db', JWT_SECRET: 'x'.repeat(40), METRICS_TOKEN: 'short' })).to.throw(
      /METRICS_TOKEN/,
    );
  });

  it('keeps Swagger UI from persisting tokens in localStorage', async () => {
    const init = await rawRequest('GET', '/docs/swagger-ui-init.js');
    expect(init.status).to.equal(200);
    expect(init.body).to.match(/"persistAuthorization":\s*false/);
  });
});
