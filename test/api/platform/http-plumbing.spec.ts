import { expect } from 'chai';
import { rawRequest, problemOf } from '../../support/api';
import { client } from '../../support/client';
import { h } from '../../support/hooks';

describe('HTTP plumbing', () => {
  it('answers liveness and readiness with the database checked', async () => {
    expect((await client().GET('/health/live')).data).to.deep.equal({ status: 'ok' });
    const ready = await client().GET('/health/ready');
    expect(ready.response.status).to.equal(200);
    expect(ready.data?.checks?.database).to.equal('ok');
  });

  it('serves Prometheus metrics', async () => {
    const res = await client().GET('/metrics', { parseAs: 'text' });
    expect(res.response.status).to.equal(200);
    expect(res.data).to.include('quickstock_http_request_duration_seconds');
  });

  it('serves the OpenAPI 3.1 document with an operationId on every operation', async () => {
    const res = await rawRequest('GET', '/openapi.json');
    expect(res.status).to.equal(200);
    const document = res.body as { openapi: string; paths: Record<string, Record<string, any>> };
    expect(document.openapi).to.match(/^3\.1\./);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries<any>(item)) {
        if (['get', 'post', 'patch', 'put', 'delete'].includes(method)) expect(op.operationId, `${method} ${path}`).to.be.a('string');
      }
    }
  });

  it('serves Swagger UI at /docs/', async () => {
    const res = await rawRequest('GET', '/docs/');
    expect(res.status).to.equal(200);
    expect(res.body).to.include('swagger-ui');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await rawRequest('GET', '/api/v1/nothing-here');
    expect(res.status).to.equal(404);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
    expect(res.body).to.include({ status: 404, code: 'not-found', instance: '/api/v1/nothing-here' });
    expect(problemOf(res).type).to.be.a('string');
    expect(problemOf(res).title).to.be.a('string');
  });

  it('answers a wrong method on a known path with a 405 problem', async () => {
    const res = await rawRequest('PUT', '/api/v1/auth/login', { body: {} });
    expect(res.status).to.equal(405);
    expect(problemOf(res).code).to.equal('method-not-allowed');
  });

  it('answers malformed JSON with a 400 problem, never a 500', async () => {
    const res = await rawRequest('POST', '/api/v1/auth/login', { rawBody: '{"email": ', headers: { 'content-type': 'application/json' } });
    expect(res.status).to.equal(400);
    expect(problemOf(res).code).to.equal('malformed-json');
  });

  it('answers a wrong content type with a 415 problem', async () => {
    const res = await rawRequest('POST', '/api/v1/auth/login', { rawBody: 'email=a', headers: { 'content-type': 'text/plain' } });
    expect(res.status).to.equal(415);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });

  it('answers an oversized body with a 413 problem', async () => {
    const res = await client().POST('/api/v1/auth/login', { body: { email: 'x'.repeat(200_000), password: 'y' } });
    expect(res.response.status).to.equal(413);
    expect(res.error?.code).to.equal('payload-too-large');
  });

  it('names each invalid field in errors[]', async () => {
    const res = await client().POST('/api/v1/auth/register', { body: { email: 'not-an-email', password: 'short', name: '' } });
    expect(res.response.status).to.equal(400);
    const paths = res.error?.errors?.map((e) => e.path);
    expect(paths).to.include.members(['body.email', 'body.password', 'body.name']);
  });

  it('round-trips x-request-id, sets nosniff and hides X-Powered-By', async () => {
    const res = await client().GET('/health/live', { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(res.response.headers.get('x-request-id')).to.equal('trace-abc-123');
    expect(res.response.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(res.response.headers.get('x-powered-by')).to.equal(null);
    const generated = await rawRequest('GET', '/api/v1/missing');
    expect(generated.headers.get('x-request-id')).to.be.a('string');
    expect(problemOf(generated).requestId).to.equal(generated.headers.get('x-request-id'));
  });

  it('keeps the database pool alive after a backend is terminated', async () => {
    // This worker's database only: the other workers' services and child processes (a webhook
    // receiver's service starting up, say) are not this test's to disturb.
    await h().db.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'quickstock' AND datname = current_database() AND pid <> pg_backend_pid()",
    );
    let status = 0;
    for (let i = 0; i < 5 && status !== 200; i += 1) status = (await client().GET('/health/ready')).response.status;
    expect(status).to.equal(200);
  });
});
