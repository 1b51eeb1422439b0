import { expect } from 'chai';
import { asAdmin, createUser, login, problemOf, rawRequest, type TestUser } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { connectSocket, type TestSocket } from '../../support/realtime';
import { resetTokenRow, storedResetToken } from '../../support/account';

const NEW_PASSWORD = 'Evidenziatore-verde-e-blu-31';
const change = (token: string, currentPassword: string, newPassword = NEW_PASSWORD) =>
  client(token).POST('/api/v1/auth/password', { body: { currentPassword, newPassword } });
const hashOf = async (id: string) => (await query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [id]))[0]?.password_hash;
const me = async (token: string) => (await client(token).GET('/api/v1/auth/me')).response.status;
const refresh = async (refreshToken: string) => (await client().POST('/api/v1/auth/refresh', { body: { refreshToken } })).response.status;

describe('POST /auth/password: a user changes its own password', () => {
  const sockets: TestSocket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.close();
  });

  it('answers a new token pair for this device and ends every other session: tokens, refresh tokens and sockets', async function () {
    this.timeout(30_000);
    const user = await createUser('customer');
    const otherDevice = await login(user.email, user.password);
    const otherSocket = await connectSocket({ token: otherDevice.accessToken });
    const thisSocket = await connectSocket({ token: user.token });
    sockets.push(otherSocket, thisSocket);

    const res = await change(user.token, user.password);
    expect(res.response.status).to.equal(200);
    expect(res.response.headers.get('cache-control')).to.equal('no-store');
    const pair = res.data!;
    expect(pair.tokenType).to.equal('Bearer');
    // Connected at once with the new token, before the revocation is dispatched: it must survive it.
    const newSocket = await connectSocket({ token: pair.accessToken });
    sockets.push(newSocket);

    // Every token issued before the change stops working at once, this device's old access token too.
    for (const token of [user.token, otherDevice.accessToken]) expect(await me(token)).to.equal(401);
    for (const token of [user.refreshToken, otherDevice.refreshToken]) expect(await refresh(token)).to.equal(401);
    expect(await otherSocket.disconnected()).to.equal('io server disconnect');
    expect(await thisSocket.disconnected()).to.equal('io server disconnect');

    // The new pair works and keeps working after the revocation was dispatched.
    const [event] = await query<{ data: { userId: string; exceptSessionId?: string } }>(
      "SELECT data FROM events WHERE type = 'user.sessions_revoked' AND data->>'userId' = $1",
      [user.id],
    );
    expect(event?.data.exceptSessionId).to.match(/^[0-9a-f-]{36}$/);
    // The old sockets' disconnection was the revocation's delivery; the new socket was not in it.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(newSocket.socket.connected, 'the socket of the new sign-in stays').to.equal(true);
    expect(await me(pair.accessToken)).to.equal(200);
    const live = await query<{ family_id: string }>('SELECT DISTINCT family_id FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [user.id]);
    expect(live.map((r) => r.family_id)).to.deep.equal([event?.data.exceptSessionId]);
    expect(await refresh(pair.refreshToken)).to.equal(200);

    // Signs in with the new password only.
    expect((await client().POST('/api/v1/auth/login', { body: { email: user.email, password: user.password } })).response.status).to.equal(401);
    expect((await login(user.email, NEW_PASSWORD)).tokenType).to.equal('Bearer');
  });

  it('answers 403 current-password-wrong (not 401) for a wrong current password, and changes nothing', async () => {
    const user = await createUser('operator');
    const before = await hashOf(user.id);
    const res = await change(user.token, 'not-my-password-at-all');
    expect(res.response.status).to.equal(403);
    expect(res.error?.code).to.equal('current-password-wrong');
    expect(await hashOf(user.id)).to.equal(before);
    expect(await me(user.token)).to.equal(200);
    expect(await refresh(user.refreshToken)).to.equal(200);
  });

  it('answers 429 after 5 wrong current passwords in 15 minutes, from any device, even with the right one; another user is not affected', async function () {
    this.timeout(60_000);
    const [user, bystander] = await Promise.all([createUser('customer'), createUser('customer')]);
    const otherDevice = await login(user.email, user.password);
    for (let i = 0; i < 5; i += 1) expect((await change(user.token, `wrong-password-${i}`)).response.status).to.equal(403);
    const blocked = await change(otherDevice.accessToken, user.password);
    expect(blocked.response.status).to.equal(429);
    expect(blocked.error?.code).to.equal('too-many-attempts');
    expect(Number(blocked.response.headers.get('retry-after'))).to.be.within(1, 900);
    expect(await me(user.token)).to.equal(200);
    expect((await change(bystander.token, bystander.password)).response.status).to.equal(200);
  });

  it('lets at most 5 of 12 parallel wrong guesses be checked; the others answer 429', async function () {
    this.timeout(60_000);
    const user = await createUser('customer');
    const statuses = await Promise.all(Array.from({ length: 12 }, (_, i) => change(user.token, `parallel-guess-${i}`).then((r) => r.response.status)));
    expect(statuses.filter((s) => s === 403)).to.have.length(5);
    expect(statuses.filter((s) => s === 429)).to.have.length(7);
  });

  it('lets one of two parallel changes with the right password win; the other changes nothing (409 or 403)', async function () {
    this.timeout(60_000);
    const user = await createUser('customer');
    const [a, b] = await Promise.all([
      change(user.token, user.password, 'Primo-quaderno-a-quadretti-1'),
      change(user.token, user.password, 'Secondo-quaderno-a-righe-2'),
    ]);
    const statuses = [a.response.status, b.response.status];
    expect(
      statuses.filter((s) => s === 200),
      JSON.stringify(statuses),
    ).to.have.length(1);
    expect([409, 403]).to.include(statuses.find((s) => s !== 200));
    const winner = a.response.status === 200 ? 'Primo-quaderno-a-quadretti-1' : 'Secondo-quaderno-a-righe-2';
    expect((await login(user.email, winner)).tokenType).to.equal('Bearer');
  });

  it('refuses bad input with 400 naming the field, never 500, and changes nothing', async function () {
    this.timeout(30_000);
    const user: TestUser = await createUser('customer');
    const before = await hashOf(user.id);
    const cases: [unknown, string][] = [
      [{}, 'body.currentPassword'],
      [{ currentPassword: user.password }, 'body.newPassword'],
      [{ newPassword: NEW_PASSWORD }, 'body.currentPassword'],
      [{ currentPassword: user.password, newPassword: 12345678901234 }, 'body.newPassword'],
      [{ currentPassword: true, newPassword: NEW_PASSWORD }, 'body.currentPassword'],
      [{ currentPassword: user.password, newPassword: 'short' }, 'body.newPassword'],
      [{ currentPassword: user.password, newPassword: 'x'.repeat(129) }, 'body.newPassword'],
      [{ currentPassword: 'x'.repeat(1025), newPassword: NEW_PASSWORD }, 'body.currentPassword'],
      [{ currentPassword: user.password, newPassword: 'password1234' }, 'body.newPassword'],
      [{ currentPassword: user.password, newPassword: 'abababababababab' }, 'body.newPassword'],
      [{ currentPassword: user.password, newPassword: '            ' }, 'body.newPassword'],
      [{ currentPassword: user.password, newPassword: `${NEW_PASSWORD}\u0000` }, 'body.newPassword'],
      [{ currentPassword: `${user.password}\u0000`, newPassword: NEW_PASSWORD }, 'body.currentPassword'],
      [{ currentPassword: user.password, newPassword: NEW_PASSWORD, role: 'admin' }, 'body.role'],
    ];
    for (const [body, field] of cases) {
      const res = await rawRequest('POST', '/api/v1/auth/password', { token: user.token, body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(problemOf(res).code).to.equal('validation-failed');
      expect(JSON.stringify(problemOf(res).errors), JSON.stringify(body)).to.include(field);
    }
    for (const rawBody of ['{"currentPassword": ', 'null', '[]']) {
      expect(
        (await rawRequest('POST', '/api/v1/auth/password', { token: user.token, rawBody, headers: { 'content-type': 'application/json' } })).status,
      ).to.equal(400);
    }
    expect(await hashOf(user.id)).to.equal(before);
    expect(await me(user.token)).to.equal(200);
  });

  it('needs a valid access token (401)', async () => {
    const user = await createUser('customer');
    expect((await change('', user.password)).response.status).to.equal(401);
    expect((await change('not-a-token', user.password)).response.status).to.equal(401);
  });

  it('makes pending reset links stop working, as an admin setting the password does', async function () {
    this.timeout(30_000);
    const [own, byAdmin] = await Promise.all([createUser('customer'), createUser('customer')]);
    const ownToken = await storedResetToken(own.id);
    const adminToken = await storedResetToken(byAdmin.id);
    expect((await change(own.token, own.password)).response.status).to.equal(200);
    const admin = await client(await asAdmin()).POST('/api/v1/users/{id}/password', { params: { path: { id: byAdmin.id } }, body: { password: NEW_PASSWORD } });
    expect(admin.response.status).to.equal(204);
    for (const token of [ownToken, adminToken]) {
      expect((await resetTokenRow(token))?.revoked_at).to.be.an.instanceOf(Date);
      const res = await client().POST('/api/v1/auth/password-reset/confirm', { body: { token, newPassword: 'Un-altro-quaderno-2028' } });
      expect(res.response.status).to.equal(400);
      expect(res.error?.code).to.equal('invalid-reset-token');
    }
  });
});
