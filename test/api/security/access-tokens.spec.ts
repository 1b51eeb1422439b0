import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { createUser } from '../../support/api';
import { client } from '../../support/client';
import { TEST_JWT_SECRET } from '../../support/hooks';

/** A token signed with the service's own key: only the claims under test are wrong. */
function forge(claims: Record<string, unknown>): string {
  // jsonwebtoken keeps a given iat, and sets none with noTimestamp.
  return jwt.sign({ typ: 'access', ver: 0, ...claims }, TEST_JWT_SECRET, {
    algorithm: 'HS256',
    issuer: 'quickstock',
    audience: 'quickstock-api',
    noTimestamp: !('iat' in claims),
  });
}

describe('Access tokens with the right signature but wrong times or no sign-in', () => {
  it('refuses iat in the future, iat older than the access lifetime and a token without sid with 401; accepts the same claims done right', async () => {
    const user = await createUser('customer');
    const { sid } = jwt.decode(user.token) as { sid: string };
    const now = Math.floor(Date.now() / 1000);
    const base = { sub: user.id, role: 'customer', sid };
    const cases: [string, string][] = [
      ['iat an hour ahead', forge({ ...base, iat: now + 3600, exp: now + 3600 + 900 })],
      ['iat older than ACCESS_TOKEN_TTL_SECONDS (900)', forge({ ...base, iat: now - 2000, exp: now + 86_400 })],
      ['no iat', forge({ ...base, exp: now + 600 })],
      ['no sid', forge({ sub: user.id, role: 'customer', iat: now, exp: now + 600 })],
      ['a sid that is not a sign-in id', forge({ ...base, sid: 'session', iat: now, exp: now + 600 })],
    ];
    for (const [what, token] of cases) {
      const iat = (jwt.decode(token) as { iat?: number }).iat;
      if (!what.includes('no iat')) expect(iat, what).to.be.a('number');
      const res = await client(token).GET('/api/v1/auth/me');
      expect(res.response.status, what).to.equal(401);
      expect(res.response.headers.get('content-type'), what).to.include('application/problem+json');
    }
    const skewed = forge({ ...base, iat: now + 5, exp: now + 600 });
    expect((await client(skewed).GET('/api/v1/auth/me')).response.status, 'within the clock tolerance').to.equal(200);
    expect((await client(forge({ ...base, iat: now, exp: now + 600 })).GET('/api/v1/auth/me')).response.status).to.equal(200);
  });
});

describe('Access tokens sent again (the verified-token cache)', () => {
  it('accepts a token again only as it was signed: a changed signature, a changed payload under the old signature and an expired token are refused with 401', async () => {
    const user = await createUser('customer');
    const { sid } = jwt.decode(user.token) as { sid: string };
    const now = Math.floor(Date.now() / 1000);
    const shortLived = forge({ sub: user.id, role: 'customer', sid, iat: now, exp: now + 2 });
    // Verified once, then known: both answered.
    for (const token of [user.token, user.token, shortLived, shortLived]) {
      expect((await client(token).GET('/api/v1/auth/me')).response.status).to.equal(200);
    }
    const [header, payload, signature] = user.token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1) as string}`;
    const staff = Buffer.from(JSON.stringify({ ...(jwt.decode(user.token) as object), role: 'admin' })).toString('base64url');
    for (const [what, token] of [
      ['the signature changed', `${header}.${payload}.${flipped}`],
      ['the payload changed under the same signature', `${header}.${staff}.${signature}`],
    ] as const) {
      const res = await client(token).GET('/api/v1/auth/me');
      expect(res.response.status, what).to.equal(401);
    }
    expect((await client(user.token).GET('/api/v1/auth/me')).response.status, 'the original still').to.equal(200);
    // The short-lived token was verified while valid: once its exp has passed it is refused.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (now + 2) * 1000 - Date.now()) + 50));
    const expired = await client(shortLived).GET('/api/v1/auth/me');
    expect(expired.response.status).to.equal(401);
  });
});
