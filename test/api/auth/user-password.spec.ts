import { expect } from 'chai';
import { api, asAdmin, createUser, login, operator } from '../../support/api';
import { query } from '../../support/db';

const NEW_PASSWORD = 'Cartellina-rossa-2027';
const setPassword = (id: string, token: string, body: unknown) => api('POST', `/api/v1/users/${id}/password`, { token, body });
const hashOf = async (id: string) => (await query('SELECT password_hash FROM users WHERE id = $1', [id]))[0]?.password_hash as string;

describe('admin sets a user password', () => {
  it('answers 204, signs in with the new password only, and ends every session of the user', async () => {
    const user = await createUser('operator');
    const second = await login(user.email, user.password);
    const res = await setPassword(user.id, await asAdmin(), { password: NEW_PASSWORD });
    expect(res.status).to.equal(204);
    for (const token of [user.token, second.accessToken]) {
      expect((await api('GET', '/api/v1/auth/me', { token })).status).to.equal(401);
    }
    for (const refreshToken of [user.refreshToken, second.refreshToken]) {
      expect((await api('POST', '/api/v1/auth/refresh', { body: { refreshToken } })).status).to.equal(401);
    }
    const [{ live }] = await query('SELECT count(*)::int AS live FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
    expect(live).to.equal(0);
    expect((await api('POST', '/api/v1/auth/login', { body: { email: user.email, password: user.password } })).status).to.equal(401);
    const fresh = await login(user.email, NEW_PASSWORD);
    expect((await api('GET', '/api/v1/auth/me', { token: fresh.accessToken })).status).to.equal(200);
  });

  it('refuses a weak, short or extra-field body with 400 and changes nothing', async () => {
    const user = await createUser('customer');
    const before = await hashOf(user.id);
    const admin = await asAdmin();
    for (const body of [{ password: 'short' }, { password: 'aaaaaaaaaaaaaaaa' }, { password: 'password1234' }, {}, { password: NEW_PASSWORD, role: 'admin' }]) {
      const res = await setPassword(user.id, admin, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.code).to.equal('validation-failed');
    }
    expect(await hashOf(user.id)).to.equal(before);
    expect((await api('GET', '/api/v1/auth/me', { token: user.token })).status).to.equal(200);
  });

  it('is for admins only (403 for an operator or the user itself) and answers 404 for an unknown user', async () => {
    const op = await operator();
    const user = await createUser('customer');
    const before = await hashOf(user.id);
    expect((await setPassword(user.id, op.token, { password: NEW_PASSWORD })).status).to.equal(403);
    expect((await setPassword(user.id, user.token, { password: NEW_PASSWORD })).status).to.equal(403);
    expect(await hashOf(user.id)).to.equal(before);
    const missing = await setPassword('00000000-0000-4000-8000-000000000000', await asAdmin(), { password: NEW_PASSWORD });
    expect(missing.status).to.equal(404);
  });
});
