import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ok, login, asAdmin, createUser } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { signToken } from '../../support/tokens';

const email = () => `user-${randomUUID()}@example.test`;
const PASSWORD = 'correct horse battery staple';

describe('Identity', () => {
  describe('POST /auth/register', () => {
    it('creates a customer with an argon2id hash and never returns the hash', async () => {
      const address = email();
      const res = await client().POST('/api/v1/auth/register', { body: { email: address, password: PASSWORD, name: 'Anna' } });
      expect(res.response.status).to.equal(201);
      expect(res.data).to.include({ email: address, name: 'Anna', role: 'customer' });
      expect(JSON.stringify(res.data)).not.to.match(/argon2|password/i);
      const [row] = await query('SELECT password_hash FROM users WHERE id = $1', [res.data?.id]);
      expect(row.password_hash).to.match(/^\$argon2id\$/);
    });

    it('refuses a duplicate email in another case with 409', async () => {
      const address = email();
      await client().POST('/api/v1/auth/register', { body: { email: address, password: PASSWORD, name: 'A' } });
      const res = await client().POST('/api/v1/auth/register', { body: { email: address.toUpperCase(), password: PASSWORD, name: 'B' } });
      expect(res.response.status).to.equal(409);
      expect(res.error?.code).to.equal('email-taken');
    });

    it('refuses a short password and a self-chosen role with 400, storing nothing', async () => {
      const a = email();
      const short = await client().POST('/api/v1/auth/register', { body: { email: a, password: 'short', name: 'A' } });
      expect(short.response.status).to.equal(400);
      expect(short.error?.errors?.[0]?.path).to.equal('body.password');
      const b = email();
      const role = await client().POST('/api/v1/auth/register', { body: { email: b, password: PASSWORD, name: 'B', role: 'admin' } });
      expect(role.response.status).to.equal(400);
      expect(await query('SELECT 1 FROM users WHERE lower(email) IN ($1, $2)', [a, b])).to.have.length(0);
    });

    it('accepts a long Unicode password without truncating it', async () => {
      const address = email();
      const long = 'ü'.repeat(100) + 'end';
      expect((await client().POST('/api/v1/auth/register', { body: { email: address, password: long, name: 'U' } })).response.status).to.equal(201);
      expect((await client().POST('/api/v1/auth/login', { body: { email: address, password: 'ü'.repeat(100) + 'END' } })).response.status).to.equal(401);
      expect((await client().POST('/api/v1/auth/login', { body: { email: address, password: long } })).response.status).to.equal(200);
    });
  });

  describe('POST /auth/login', () => {
    it('answers the same 401 for an unknown email and a wrong password', async () => {
      const user = await createUser('customer');
      const unknown = await client().POST('/api/v1/auth/login', { body: { email: email(), password: PASSWORD } });
      const wrong = await client().POST('/api/v1/auth/login', { body: { email: user.email, password: 'wrong-password-123' } });
      expect(unknown.response.status).to.equal(401);
      expect(wrong.response.status).to.equal(401);
      const strip = (b: any) => ({ ...b, requestId: undefined });
      expect(strip(unknown.data)).to.deep.equal(strip(wrong.data));
    });

    it('throttles an account after 10 failures with 429 and Retry-After', async () => {
      const user = await createUser('customer');
      for (let i = 0; i < 10; i += 1) {
        expect((await client().POST('/api/v1/auth/login', { body: { email: user.email, password: 'wrong-password-123' } })).response.status).to.equal(401);
      }
      const blocked = await client().POST('/api/v1/auth/login', { body: { email: user.email, password: user.password } });
      expect(blocked.response.status).to.equal(429);
      expect(Number(blocked.response.headers.get('retry-after'))).to.be.greaterThan(0);
    });

    it('issues tokens with the required claims', async () => {
      const user = await createUser('operator');
      const claims = jwt.decode(user.token) as Record<string, unknown>;
      expect(claims).to.include({ sub: user.id, role: 'operator', iss: 'quickstock', aud: 'quickstock-api', typ: 'access' });
      expect(claims['exp']).to.be.a('number');
      expect(claims['jti']).to.be.a('string');
    });
  });

  describe('bearer tokens', () => {
    it('refuses missing, garbage, alg none, tampered, wrong-audience, exp-less and refresh tokens with 401', async () => {
      const user = await createUser('customer');
      const claims = jwt.decode(user.token) as Record<string, unknown>;
      const [h, , s] = user.token.split('.');
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${s}`;
      const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
      const noExp = signToken({ sub: user.id, role: 'customer', typ: 'access', ver: 0 }, { noExpiry: true });
      const tokens = [
        undefined,
        'garbage',
        none,
        tampered,
        signToken({ sub: user.id, role: 'customer', typ: 'access', ver: 0 }, { audience: 'someone-else' }),
        noExp,
        user.refreshToken,
        signToken({ sub: user.id, role: 'customer', typ: 'refresh', ver: 0 }),
      ];
      for (const token of tokens) {
        const res = await client(token).GET('/api/v1/auth/me');
        expect(res.response.status, String(token)).to.equal(401);
        expect(res.error?.code).to.be.a('string');
      }
      expect((await client(user.token).GET('/api/v1/auth/me')).data?.id).to.equal(user.id);
    });

    it('gives customers 403 on staff routes and operators 403 on user management', async () => {
      const cust = await createUser('customer');
      const op = await createUser('operator');
      expect((await client(cust.token).POST('/api/v1/products', { body: { sku: 'X', name: 'X', unitPriceCents: 1 } })).response.status).to.equal(403);
      expect((await client(op.token).GET('/api/v1/users')).response.status).to.equal(403);
      expect((await client(await asAdmin()).GET('/api/v1/users')).response.status).to.equal(200);
    });
  });

  describe('refresh tokens', () => {
    it('rotates, and a reused token revokes the whole family including the newer token', async () => {
      const user = await createUser('customer');
      const first = await client().POST('/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(first.response.status).to.equal(200);
      expect(first.data?.refreshToken).not.to.equal(user.refreshToken);
      const reuse = await client().POST('/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
      expect(reuse.response.status).to.equal(401);
      expect(reuse.error?.code).to.equal('refresh-token-reused');
      const newer = await client().POST('/api/v1/auth/refresh', { body: { refreshToken: ok(first).refreshToken } });
      expect(newer.response.status).to.equal(401);
      const rows = await query('SELECT count(*)::int AS n FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
      expect(rows[0].n).to.equal(0);
    });

    it('revokes the family on logout', async () => {
      const user = await createUser('customer');
      expect((await client(user.token).POST('/api/v1/auth/logout', { body: { refreshToken: user.refreshToken } })).response.status).to.equal(204);
      expect((await client().POST('/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } })).response.status).to.equal(401);
    });

    it('stores only hashes of refresh tokens', async () => {
      const user = await createUser('customer');
      const rows = await query('SELECT token_hash FROM refresh_tokens WHERE user_id = $1', [user.id]);
      expect(rows.map((r) => r.token_hash)).not.to.include(user.refreshToken);
    });
  });

  describe('user management', () => {
    it('locks a disabled user out of an existing token, login and refresh', async () => {
      const user = await createUser('customer');
      const res = await client(await asAdmin()).PATCH('/api/v1/users/{id}', { params: { path: { id: user.id } }, body: { disabled: true } });
      expect(res.response.status).to.equal(200);
      expect(res.data?.disabled).to.equal(true);
      expect((await client(user.token).GET('/api/v1/auth/me')).response.status).to.equal(401);
      expect((await client().POST('/api/v1/auth/login', { body: { email: user.email, password: user.password } })).response.status).to.equal(401);
      expect((await client().POST('/api/v1/auth/refresh', { body: { refreshToken: user.refreshToken } })).response.status).to.equal(401);
    });

    it('refuses to disable or demote the last active admin with 409', async () => {
      const [admin] = await query("SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY created_at LIMIT 1");
      const others = await query("SELECT id FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1", [admin.id]);
      for (const o of others) await query('UPDATE users SET disabled = true WHERE id = $1', [o.id]);
      const token = await asAdmin();
      const demote = await client(token).PATCH('/api/v1/users/{id}', { params: { path: { id: admin.id } }, body: { role: 'operator' } });
      expect(demote.response.status).to.equal(409);
      expect(demote.error?.code).to.equal('last-admin');
      expect((await client(token).PATCH('/api/v1/users/{id}', { params: { path: { id: admin.id } }, body: { disabled: true } })).response.status).to.equal(409);
      for (const o of others) await query('UPDATE users SET disabled = false WHERE id = $1', [o.id]);
    });

    it('lists users with cursor pagination and filters', async () => {
      const token = await asAdmin();
      for (let i = 0; i < 3; i += 1) await createUser('operator');
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const res = await client(token).GET('/api/v1/users', { params: { query: { role: 'operator', limit: 2, cursor } } });
        expect(res.response.status).to.equal(200);
        for (const u of ok(res).items) {
          expect(u.role).to.equal('operator');
          expect(seen.has(u.id)).to.equal(false);
          seen.add(u.id);
        }
        cursor = res.data?.nextCursor ?? undefined;
      } while (cursor);
      const [{ n }] = await query("SELECT count(*)::int AS n FROM users WHERE role = 'operator'");
      expect(seen.size).to.equal(n);
    });

    it('logs in the first admin created from ADMIN_EMAIL', async () => {
      const tokens = await login('admin@quickstock.test', 'admin-password-123');
      const me = await client(tokens.accessToken).GET('/api/v1/auth/me');
      expect(me.data?.role).to.equal('admin');
    });
  });
});
