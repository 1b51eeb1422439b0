import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Request, RequestHandler } from 'express';
import { OpenApiContext } from 'express-openapi-validator/dist/framework/openapi.context';
import { OpenApiSpecLoader } from 'express-openapi-validator/dist/framework/openapi.spec.loader';
import { applyOpenApiMetadata } from 'express-openapi-validator/dist/middlewares/openapi.metadata';
import { openApiMetadata } from '../../../src/platform/patches/express-openapi-validator';

type Outcome = { next: unknown; openapi?: unknown; params?: unknown } | { thrown: { status?: number; message?: string; headers?: unknown } };

/** Runs a metadata middleware on a bare request (as Express hands it over under no router) and says what it did. */
function outcome(middleware: RequestHandler, method: string, url: string, settings: Record<string, boolean> = {}): Outcome {
  const pathname = url.split('?')[0]!;
  const req = {
    method,
    url,
    originalUrl: url,
    path: pathname,
    baseUrl: '',
    params: {},
    app: { enabled: (name: string) => settings[name] ?? false },
  } as unknown as Request;
  try {
    let next: unknown = 'not called';
    middleware(req, {} as never, (err?: unknown) => (next = err ?? 'called'));
    const { openapi, params } = req as unknown as { openapi?: unknown; params?: unknown };
    return { next, openapi, params };
  } catch (err) {
    const { status, message, headers } = err as { status?: number; message?: string; headers?: unknown };
    return { thrown: { status, message, headers } };
  }
}

/**
 * `openApiMetadata` stands in for express-openapi-validator's openapi.metadata middleware with its
 * route lookup compiled once (platform/patches/express-openapi-validator.ts): on the real contract,
 * every request below must come out exactly as the library's own middleware leaves it — the same
 * operation and path parameters, the same 404, 405 (with `Allow`) and 400.
 */
describe('openApiMetadata: the validator route lookup, compiled once, as the library does it', () => {
  let library: RequestHandler;
  let compiled: RequestHandler;

  before(async () => {
    const apiDoc = JSON.parse(readFileSync(path.join(__dirname, '../../../generated/openapi.json'), 'utf8')) as never;
    const spec = await new OpenApiSpecLoader({ apiDoc, validateApiSpec: false, $refParser: { mode: 'bundle' } }).load();
    const context = new OpenApiContext(spec, undefined as never, false, false);
    const responses = { paths: spec.apiDoc.paths } as never;
    library = applyOpenApiMetadata(context, responses) as RequestHandler;
    compiled = openApiMetadata(context, responses);
  });

  const requests: [string, string][] = [
    ['GET', '/api/v1/products'],
    ['GET', '/api/v1/products?q=toner&limit=5'],
    ['GET', '/api/v1/products/9b2f1c1e-3c1a-4c1e-9d7a-0b1c2d3e4f50'],
    ['GET', '/api/v1/products/export'],
    ['POST', '/api/v1/orders'],
    ['GET', '/api/v1/orders/9b2f1c1e-3c1a-4c1e-9d7a-0b1c2d3e4f50'],
    ['POST', '/api/v1/orders/abc/shipments'],
    ['GET', '/API/V1/PRODUCTS'],
    ['GET', '/api/v1/products/'],
    ['GET', '/api/v1/products/a%20b'],
    ['GET', '/api/v1/products/%E0%A4%A'],
    ['PUT', '/api/v1/auth/login'],
    ['DELETE', '/api/v1/products'],
    ['GET', '/api/v1/nothing-here'],
    ['GET', '/api/v1'],
    ['GET', '/api/v2/products'],
    ['GET', '/health/live'],
    ['CONSTRUCTOR', '/api/v1/products'],
  ];

  it('leaves every request as the library does: the operation, the path parameters, 404, 405 with Allow, 400', () => {
    for (const [method, url] of requests) {
      for (const settings of [{}, { 'strict routing': true }, { 'case sensitive routing': true }] as Record<string, boolean>[]) {
        expect(outcome(compiled, method, url, settings), `${method} ${url} ${JSON.stringify(settings)}`).to.deep.equal(outcome(library, method, url, settings));
      }
    }
  });

  it('finds the documented operation (a sanity check that the comparison compares something)', () => {
    const found = outcome(compiled, 'GET', '/api/v1/orders/42') as { openapi: { openApiRoute: string }; params: unknown };
    expect(found.openapi.openApiRoute).to.equal('/api/v1/orders/{id}');
    expect(found.params).to.deep.equal({ id: '42' });
    expect((outcome(compiled, 'PUT', '/api/v1/auth/login') as { thrown: { status: number } }).thrown.status).to.equal(405);
    expect((outcome(compiled, 'GET', '/api/v1/nothing-here') as { thrown: { status: number } }).thrown.status).to.equal(404);
  });
});
