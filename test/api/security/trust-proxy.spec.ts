import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/platform/config';
import { createUser } from '../../support/api';
import { withSecondService } from '../../support/services';
import { postFrom } from './client-address';

const LOGIN = '/api/v1/auth/login';
const REGISTER = '/api/v1/auth/register';
const base = { NODE_ENV: 'test', DATABASE_URL: 'postgres://x@localhost/db', JWT_SECRET: 'x'.repeat(40) };

describe('TRUST_PROXY', () => {
  it('refuses a bare true at start-up, naming the variable, and bad proxy addresses', () => {
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'true' })).to.throw(/TRUST_PROXY/);
    expect(() => loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/40' })).to.throw(/TRUST_PROXY/);
    expect(() => loadConfig({ ...base, TRUST_PROXY: 'proxy.internal' })).to.throw(/TRUST_PROXY/);
  });

  it('takes a hop count or a list of addresses and CIDRs', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxy).to.equal(2);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).trustProxy).to.equal(false);
    expect(loadConfig({ ...base }).trustProxy).to.equal(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 192.168.1.7,loopback,::1' }).trustProxy).to.deep.equal([
      '10.0.0.0/8',
      '192.168.1.7',
      'loopback',
      '::1',
    ]);
  });

  for (const trust of ['1', '127.0.0.0/8']) {
    it(`throttles a client that rotates X-Forwarded-For behind a trusted proxy (TRUST_PROXY=${trust})`, async function () {
      this.timeout(60_000);
      const victim = await createUser('customer');
      await withSecondService({ TRUST_PROXY: trust, LOGIN_SLOWDOWN_MS: '0' }, async (baseUrl) => {
        const statuses: number[] = [];
        for (let i = 0; i < 15; i += 1) {
          // The client forges the left part; the proxy (this loopback peer) appends what it saw.
          const xff = `198.51.100.${i + 1}, 203.0.113.9`;
          const res = await postFrom(baseUrl, '127.0.0.1', LOGIN, { email: victim.email, password: 'wrong-password-123' }, { 'x-forwarded-for': xff });
          statuses.push(res.status);
        }
        expect(statuses.slice(0, 10)).to.deep.equal(Array(10).fill(401));
        expect(new Set(statuses.slice(10))).to.deep.equal(new Set([429]));
        // Another client behind the same proxy is a different address: not blocked.
        const other = await postFrom(baseUrl, '127.0.0.1', LOGIN, { email: victim.email, password: victim.password }, { 'x-forwarded-for': '203.0.113.10' });
        expect(other.status).to.equal(200);
      });
    });
  }

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as its IPv4 address, for registrations and sign-ins', async function () {
    this.timeout(60_000);
    const victim = await createUser('customer');
    const env = { TRUST_PROXY: '1', RATE_LIMIT_REGISTER_PER_HOUR: '2', LOGIN_MAX_FAILURES: '3', LOGIN_SLOWDOWN_MS: '0' };
    await withSecondService(env, async (baseUrl) => {
      const register = (xff: string) =>
        postFrom(
          baseUrl,
          '127.0.0.1',
          REGISTER,
          { email: `v6-${randomUUID()}@example.test`, password: 'a long password 123', name: 'Buyer' },
          { 'x-forwarded-for': xff },
        );
      // Three addresses of one /64: one client, limited after two.
      expect((await register('2001:db8:7:1::1')).status).to.equal(201);
      expect((await register('2001:db8:7:1:8000::2')).status).to.equal(201);
      expect((await register('2001:db8:7:1:ffff:ffff:ffff:fffe')).status).to.equal(429);
      // The next /64 is another client.
      expect((await register('2001:db8:7:2::1')).status).to.equal(201);
      // An IPv4 client is the same whether a dual-stack proxy reports it mapped or not.
      expect((await register('198.51.100.20')).status).to.equal(201);
      expect((await register('::ffff:198.51.100.20')).status).to.equal(201);
      expect((await register('198.51.100.20')).status).to.equal(429);

      // Sign-in failures per (account, address): rotating inside the /64 does not reset them.
      const login = (xff: string, password = 'wrong-password-123') =>
        postFrom(baseUrl, '127.0.0.1', LOGIN, { email: victim.email, password }, { 'x-forwarded-for': xff });
      const statuses: number[] = [];
      for (let i = 1; i <= 5; i += 1) statuses.push((await login(`2001:db8:9:1::${i.toString(16)}`)).status);
      expect(statuses).to.deep.equal([401, 401, 401, 429, 429]);
      expect((await login('2001:db8:9:1:abcd::1', victim.password)).status).to.equal(429);
      // The owner from another network still gets in.
      expect((await login('2001:db8:9:2::1', victim.password)).status).to.equal(200);
    });
  });
});
