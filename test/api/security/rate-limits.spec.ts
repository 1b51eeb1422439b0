import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { createUser } from '../../support/api';
import { query } from '../../support/database';
import { h } from '../../support/hooks';
import { withSecondService } from '../../support/services';
import { postFrom } from './client-address';

const REGISTER = '/api/v1/auth/register';
const REFRESH = '/api/v1/auth/refresh';
const newCustomer = () => ({ email: `rl-${randomUUID()}@example.test`, password: 'a long password 123', name: 'Buyer' });

function expectRateLimited(
  res: { status: number; headers: Record<string, string | string[] | undefined>; body: any },
  name: string,
  quota: number,
  window: number,
) {
  expect(res.status).to.equal(429);
  expect(res.headers['content-type']).to.match(/application\/problem\+json/);
  expect(res.body.code).to.equal('rate-limited');
  const retryAfter = Number(res.headers['retry-after']);
  expect(retryAfter).to.be.within(1, 3600);
  expect(res.headers['ratelimit-policy']).to.equal(`"${name}";q=${quota};w=${window}`);
  expect(res.headers['ratelimit']).to.equal(`"${name}";r=0;t=${retryAfter}`);
}

describe('Rate limits', () => {
  it('limits registrations per client address (RATE_LIMIT_REGISTER_PER_HOUR, default 20) with 429 and RateLimit headers, storing nothing', async function () {
    this.timeout(60_000);
    for (let i = 0; i < 20; i += 1) {
      expect((await postFrom(h().baseUrl, '127.0.0.5', REGISTER, newCustomer())).status).to.equal(201);
    }
    const refused = newCustomer();
    const res = await postFrom(h().baseUrl, '127.0.0.5', REGISTER, refused);
    expectRateLimited(res, 'register', 20, 3600);
    expect(await query('SELECT 1 FROM users WHERE lower(email) = lower($1)', [refused.email])).to.have.length(0);
    // Another address is not affected.
    expect((await postFrom(h().baseUrl, '127.0.0.6', REGISTER, newCustomer())).status).to.equal(201);
  });

  it('limits refreshes per sign-in (RATE_LIMIT_REFRESH_PER_MINUTE, default 30), leaving the refused token unused', async function () {
    this.timeout(60_000);
    const user = await createUser('customer');
    let token = user.refreshToken;
    for (let i = 0; i < 30; i += 1) {
      const res = await postFrom(h().baseUrl, '127.0.0.1', REFRESH, { refreshToken: token });
      expect(res.status).to.equal(200);
      token = res.body.refreshToken;
    }
    const res = await postFrom(h().baseUrl, '127.0.0.1', REFRESH, { refreshToken: token });
    expectRateLimited(res, 'refresh', 30, 60);
    const [row] = await query<{ rotated_at: Date | null }>(
      "SELECT rotated_at FROM refresh_tokens WHERE token_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex')",
      [token],
    );
    expect(row?.rotated_at).to.equal(null);
    // Another sign-in of the same user has its own allowance.
    const other = await postFrom(h().baseUrl, '127.0.0.1', '/api/v1/auth/login', { email: user.email, password: user.password });
    expect((await postFrom(h().baseUrl, '127.0.0.1', REFRESH, { refreshToken: other.body.refreshToken })).status).to.equal(200);
  });

  it('turns a limit off with 0 and counts in Redis, shared by instances, when REDIS_URL is set', async function () {
    const redisUrl = process.env['REDIS_URL'];
    if (!redisUrl) this.skip();
    this.timeout(60_000);
    const prefix = `qs-test-${randomUUID().slice(0, 8)}`;
    const env = { REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_REGISTER_PER_HOUR: '2', RATE_LIMIT_REFRESH_PER_MINUTE: '0' };
    const redis = new Redis(redisUrl!);
    try {
      const user = await createUser('customer');
      await withSecondService(env, async (first) => {
        expect((await postFrom(first, '127.0.0.7', REGISTER, newCustomer())).status).to.equal(201);
        await withSecondService(env, async (second) => {
          expect((await postFrom(second, '127.0.0.7', REGISTER, newCustomer())).status).to.equal(201);
          expectRateLimited(await postFrom(second, '127.0.0.7', REGISTER, newCustomer()), 'register', 2, 3600);
        });
        let token = user.refreshToken;
        for (let i = 0; i < 35; i += 1) {
          const res = await postFrom(first, '127.0.0.7', REFRESH, { refreshToken: token });
          expect(res.status).to.equal(200);
          token = res.body.refreshToken;
        }
      });
      expect(await redis.keys(`${prefix}:rate-register*`)).to.have.length(1);
    } finally {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    }
  });
});
