import { expect } from 'chai';
import { violation } from '../../support/contract-observer';

const problem = (code: string, status: number, extra: Record<string, unknown> = {}) => ({
  type: `urn:quickstock:problem:${code}`,
  title: 'Problem',
  status,
  detail: 'Something.',
  instance: '/api/v1/auth/login',
  code,
  requestId: 'r-1',
  ...extra,
});

describe('Contract observer', () => {
  it('accepts a documented status with one of its documented codes and a valid body', () => {
    expect(
      violation({ method: 'POST', path: '/api/v1/auth/login', status: 401, code: 'invalid-credentials', problem: problem('invalid-credentials', 401) }),
    ).to.equal(undefined);
    expect(violation({ method: 'GET', path: '/api/v1/orders/3b9d2f61-5c1e-4e8a-9f47-0a6b8c2d1e35', status: 200 })).to.equal(undefined);
  });

  it('flags a status the operation does not list', () => {
    expect(violation({ method: 'GET', path: '/api/v1/orders', status: 418 })).to.match(/listOrders .* sent 418/);
  });

  it('flags a problem code the response does not list', () => {
    expect(violation({ method: 'POST', path: '/api/v1/auth/login', status: 401, code: 'unauthorized', problem: problem('unauthorized', 401) })).to.match(
      /not among invalid-credentials/,
    );
  });

  it('flags a problem body that breaks its schema', () => {
    const noRequestId = { ...problem('invalid-credentials', 401), requestId: undefined };
    delete noRequestId.requestId;
    expect(violation({ method: 'POST', path: '/api/v1/auth/login', status: 401, code: 'invalid-credentials', problem: noRequestId })).to.match(
      /does not match its schema/,
    );
  });

  it('accepts the 405 of a method a path does not have, and flags any other answer to it', () => {
    expect(violation({ method: 'PUT', path: '/api/v1/auth/login', status: 405, code: 'method-not-allowed' })).to.equal(undefined);
    expect(violation({ method: 'HEAD', path: '/api/v1/products', status: 405 })).to.equal(undefined);
    expect(violation({ method: 'PUT', path: '/api/v1/auth/login', status: 404, code: 'not-found' })).to.match(/documented 405/);
  });

  it('leaves paths outside the API contract alone', () => {
    expect(violation({ method: 'GET', path: '/docs/', status: 200 })).to.equal(undefined);
  });
});
