import { expect } from 'chai';
import { rawRequest, problemOf, login, asAdmin, createUser, operator, type Schemas } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';

const NEW_PASSWORD = 'Cartellina-rossa-2027';
const setPassword = (id: string, token: string, body: Schemas['SetPasswordRequest']) =>
  client(token).POST('/api/v1/users/{id}/password', { params: { path: { id } }, body });
const hashOf = async (id: string) => (await query('SELECT password_hash FROM users WHERE id = $1', [id]))[0]?.password_hash as string;

describe('admin sets a user password', () => {
  it('answers 204, signs in with the new password only, and ends every session of the user', async () => {
    const user = await createUser('operator');
    const second = await login(user.email, user.password);
    const res = await setPassword(user.id, await asAdmin(), { password: NEW_PASSWORD });
    expect(res.response.status).to.equal(204);
    for (const token of [user.token, second.accessToken]) {
      expect((await client(token).GET('/api/v1/auth/me')).response.status).to.equal(401);
    }
    for (const refreshToken of [user.refreshToken, second.refreshToken]) {
      expect((await client().POST('/api/v1/auth/refresh', { body: { refreshToken } })).response.status).to.equal(401);
    }
    const [{ live }] = await query('SELECT count(*)::int AS live FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
    expect(live).to.equal(0);
    expect((await client().POST('/api/v1/auth/login', { body: { email: user.email, password: user.password } })).response.status).to.equal(401);
    const fresh = await login(user.email, NEW_PASSWORD);
    expect((await client(fresh.accessToken).GET('/api/v1/auth/me')).response.status).to.equal(200);
  });

  it('refuses a weak, short or extra-field body with 400 and changes nothing', async () => {
    const user = await createUser('customer');
    const before = await hashOf(user.id);
    const admin = await asAdmin();
    for (const body of [{ password: 'short' }, { password: 'aaaaaaaaaaaaaaaa' }, { password: 'password1234' }, {}, { password: NEW_PASSWORD, role: 'admin' }]) {
      // Some of these bodies are outside the contract: sent raw.
      const res = await rawRequest('POST', `/api/v1/users/${user.id}/password`, { token: admin, body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(problemOf(res).code).to.equal('validation-failed');
    }
    expect(await hashOf(user.id)).to.equal(before);
    expect((await client(user.token).GET('/api/v1/auth/me')).response.status).to.equal(200);
  });

  it('is for admins only (403 for an operator or the user itself) and answers 404 for an unknown user', async () => {
    const op = await operator();
    const user = await createUser('customer');
    const before = await hashOf(user.id);
    expect((await setPassword(user.id, op.token, { password: NEW_PASSWORD })).response.status).to.equal(403);
    expect((await setPassword(user.id, user.token, { password: NEW_PASSWORD })).response.status).to.equal(403);
    expect(await hashOf(user.id)).to.equal(before);
    const missing = await setPassword('00000000-0000-4000-8000-000000000000', await asAdmin(), { password: NEW_PASSWORD });
    expect(missing.response.status).to.equal(404);
  });
});
