import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { asAdmin, createUser, login, problemOf, rawRequest } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { withSecondService } from '../../support/services';
import { newResetToken, ownClientAddress, requestReset, resetTokenRow, resetTokensOf, storedResetToken } from '../../support/account';

const NEW_PASSWORD = 'Raccoglitore-ad-anelli-2027';
const confirm = (token: string, newPassword = NEW_PASSWORD) => client().POST('/api/v1/auth/password-reset/confirm', { body: { token, newPassword } });
const me = async (token: string) => (await client(token).GET('/api/v1/auth/me')).response.status;
/** What a client sees of an answer, but for the values that differ per request. */
const shape = (res: { status: number; headers: Record<string, unknown>; body: unknown }) => ({
  status: res.status,
  headers: Object.keys(res.headers)
    .filter((h) => h !== 'date')
    .sort(),
  body: res.body,
});

describe('POST /auth/password-reset: asking for a reset link', () => {
  it('answers 202 with an empty body and the same headers for a known, an unknown and a disabled address; only the known one gets a token', async function () {
    this.timeout(30_000);
    const [known, disabled] = await Promise.all([createUser('customer'), createUser('customer')]);
    await client(await asAdmin()).PATCH('/api/v1/users/{id}', { params: { path: { id: disabled.id } }, body: { disabled: true } });
    const from = ownClientAddress();
    const answers = [
      await requestReset(from, { email: known.email.toUpperCase() }),
      await requestReset(from, { email: `nessuno-${randomUUID()}@example.test` }),
      await requestReset(from, { email: disabled.email }),
    ];
    for (const res of answers) {
      expect(shape(res)).to.deep.equal(shape(answers[0]!));
      expect(res.status).to.equal(202);
      expect(res.body).to.equal('');
      expect(res.headers['content-type']).to.equal(undefined);
    }
    const [token] = await resetTokensOf(known.id);
    expect(token?.token_hash).to.match(/^[0-9a-f]{64}$/);
    expect(token!.expires_at.getTime() - token!.created_at.getTime()).to.equal(30 * 60_000);
    expect(token?.used_at).to.equal(null);
    expect(await resetTokensOf(disabled.id)).to.have.length(0);
  });

  it('supersedes the previous token with a newer one', async () => {
    const user = await createUser('customer');
    const older = await storedResetToken(user.id);
    expect((await requestReset(ownClientAddress(), { email: user.email })).status).to.equal(202);
    expect((await resetTokenRow(older))?.revoked_at).to.be.an.instanceOf(Date);
    const open = (await resetTokensOf(user.id)).filter((t) => t.revoked_at === null);
    expect(open).to.have.length(1);
    const res = await confirm(older);
    expect(res.response.status).to.equal(400);
    expect(res.error?.code).to.equal('invalid-reset-token');
  });

  it('issues at most 3 tokens per address per hour; further requests answer the same 202 and issue nothing', async function () {
    this.timeout(30_000);
    const user = await createUser('customer');
    const from = ownClientAddress();
    const answers = [];
    for (let i = 0; i < 5; i += 1) answers.push(await requestReset(from, { email: user.email }));
    expect(answers.map((a) => a.status)).to.deep.equal([202, 202, 202, 202, 202]);
    for (const res of answers) expect(shape(res)).to.deep.equal(shape(answers[0]!));
    const tokens = await resetTokensOf(user.id);
    expect(tokens).to.have.length(3);
    // The last one issued is still the one that works: a capped request supersedes nothing.
    expect(tokens.map((t) => t.revoked_at === null)).to.deep.equal([false, false, true]);
  });

  it('issues one token per request under concurrency, never more than 3 in the hour', async function () {
    this.timeout(30_000);
    const user = await createUser('customer');
    const from = ownClientAddress();
    const answers = await Promise.all(Array.from({ length: 8 }, () => requestReset(from, { email: user.email })));
    expect(answers.map((a) => a.status)).to.deep.equal(Array(8).fill(202));
    const tokens = await resetTokensOf(user.id);
    expect(tokens).to.have.length(3);
    expect(tokens.filter((t) => t.revoked_at === null)).to.have.length(1);
  });

  it('limits requests per client address (RATE_LIMIT_PASSWORD_RESET_PER_15_MINUTES) with 429 and RateLimit headers, recording nothing', async function () {
    this.timeout(30_000);
    const user = await createUser('customer');
    await withSecondService({ RATE_LIMIT_PASSWORD_RESET_PER_15_MINUTES: '2' }, async (baseUrl) => {
      const from = ownClientAddress();
      expect((await requestReset(from, { email: `a-${randomUUID()}@example.test` }, baseUrl)).status).to.equal(202);
      expect((await requestReset(from, { email: `b-${randomUUID()}@example.test` }, baseUrl)).status).to.equal(202);
      const refused = await requestReset(from, { email: user.email }, baseUrl);
      expect(refused.status).to.equal(429);
      expect(refused.body.code).to.equal('rate-limited');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).to.be.within(1, 900);
      expect(refused.headers['ratelimit-policy']).to.equal('"password-reset";q=2;w=900');
      expect(refused.headers['ratelimit']).to.equal(`"password-reset";r=0;t=${retryAfter}`);
      expect(await resetTokensOf(user.id)).to.have.length(0);
      // Another client address is not affected.
      expect((await requestReset(ownClientAddress(), { email: user.email }, baseUrl)).status).to.equal(202);
      expect(await resetTokensOf(user.id)).to.have.length(1);
    });
  });

  it('refuses bad input with 400 naming the field, never 500', async () => {
    const from = ownClientAddress();
    const cases: [unknown, string][] = [
      [{}, 'body.email'],
      [{ email: 42 }, 'body.email'],
      [{ email: null }, 'body.email'],
      [{ email: 'not-an-address' }, 'body.email'],
      [{ email: `${'a'.repeat(250)}@example.test` }, 'body.email'],
      [{ email: 'anna\u0000@example.test' }, 'body.email'],
      [{ email: 'anna@example.test', role: 'admin' }, 'body.role'],
    ];
    for (const [body, field] of cases) {
      const res = await requestReset(from, body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.code).to.equal('validation-failed');
      expect(JSON.stringify(res.body.errors), JSON.stringify(body)).to.include(field);
    }
    expect(
      (await rawRequest('POST', '/api/v1/auth/password-reset', { rawBody: '{"email":', headers: { 'content-type': 'application/json' } })).status,
    ).to.equal(400);
  });
});

describe('POST /auth/password-reset/confirm: a new password with the link', () => {
  it('answers 204, sets the password, ends every session and uses the token up; it does not sign in', async function () {
    this.timeout(30_000);
    const user = await createUser('customer');
    const otherDevice = await login(user.email, user.password);
    const token = await storedResetToken(user.id);
    const res = await confirm(token);
    expect(res.response.status).to.equal(204);
    expect(res.data).to.equal(undefined);
    for (const access of [user.token, otherDevice.accessToken]) expect(await me(access)).to.equal(401);
    for (const refreshToken of [user.refreshToken, otherDevice.refreshToken]) {
      expect((await client().POST('/api/v1/auth/refresh', { body: { refreshToken } })).response.status).to.equal(401);
    }
    expect(await query('SELECT 1 FROM refresh_tokens WHERE user_id = $1 AND revoked_at IS NULL', [user.id])).to.have.length(0);
    const [event] = await query<{ data: Record<string, unknown> }>("SELECT data FROM events WHERE type = 'user.sessions_revoked' AND data->>'userId' = $1", [
      user.id,
    ]);
    expect(event?.data).to.deep.equal({ userId: user.id });
    expect((await resetTokenRow(token))?.used_at).to.be.an.instanceOf(Date);
    expect((await client().POST('/api/v1/auth/login', { body: { email: user.email, password: user.password } })).response.status).to.equal(401);
    expect(await me((await login(user.email, NEW_PASSWORD)).accessToken)).to.equal(200);
  });

  it('answers 400 invalid-reset-token for an unknown, used, superseded, expired or disabled account token', async function () {
    this.timeout(30_000);
    const [user, disabled] = await Promise.all([createUser('customer'), createUser('customer')]);
    const used = await storedResetToken(user.id);
    expect((await confirm(used)).response.status).to.equal(204);
    const superseded = await storedResetToken(user.id);
    expect((await requestReset(ownClientAddress(), { email: user.email })).status).to.equal(202);
    const expired = await storedResetToken(user.id, { expired: true });
    const ofDisabled = await storedResetToken(disabled.id);
    await client(await asAdmin()).PATCH('/api/v1/users/{id}', { params: { path: { id: disabled.id } }, body: { disabled: true } });
    for (const [what, token] of Object.entries({ unknown: newResetToken(), used, superseded, expired, ofDisabled })) {
      const res = await confirm(token, 'Ancora-un-altro-quaderno-9');
      expect(res.response.status, what).to.equal(400);
      expect(res.error?.code, what).to.equal('invalid-reset-token');
    }
    expect((await login(user.email, NEW_PASSWORD)).tokenType).to.equal('Bearer');
    expect((await resetTokenRow(expired))?.used_at).to.equal(null);
  });

  it('lets exactly one of 20 parallel confirmations of one token succeed', async function () {
    this.timeout(60_000);
    const user = await createUser('customer');
    const token = await storedResetToken(user.id);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => confirm(token, `Parallelo-numero-${i}-quaderno`)));
    const statuses = answers.map((a) => a.response.status);
    expect(
      statuses.filter((s) => s === 204),
      JSON.stringify(statuses),
    ).to.have.length(1);
    expect(statuses.filter((s) => s === 400)).to.have.length(19);
    for (const a of answers.filter((x) => x.response.status === 400)) expect(a.error?.code).to.equal('invalid-reset-token');
    const winner = answers.findIndex((a) => a.response.status === 204);
    expect((await login(user.email, `Parallelo-numero-${winner}-quaderno`)).tokenType).to.equal('Bearer');
    expect(await query("SELECT 1 FROM events WHERE type = 'user.sessions_revoked' AND data->>'userId' = $1", [user.id])).to.have.length(1);
  });

  it('refuses bad input with 400 naming the field, never 500, and leaves the token unused', async function () {
    this.timeout(30_000);
    const user = await createUser('customer');
    const token = await storedResetToken(user.id);
    const cases: [unknown, string][] = [
      [{}, 'body.token'],
      [{ token }, 'body.newPassword'],
      [{ newPassword: NEW_PASSWORD }, 'body.token'],
      [{ token: token.slice(1), newPassword: NEW_PASSWORD }, 'body.token'],
      [{ token: `${token}A`, newPassword: NEW_PASSWORD }, 'body.token'],
      [{ token: `${token.slice(1)}=`, newPassword: NEW_PASSWORD }, 'body.token'],
      [{ token: `${token.slice(1)}\u0000`, newPassword: NEW_PASSWORD }, 'body.token'],
      [{ token: 12345, newPassword: NEW_PASSWORD }, 'body.token'],
      [{ token, newPassword: 42 }, 'body.newPassword'],
      [{ token, newPassword: 'short' }, 'body.newPassword'],
      [{ token, newPassword: 'y'.repeat(129) }, 'body.newPassword'],
      [{ token, newPassword: 'password1234' }, 'body.newPassword'],
      [{ token, newPassword: 'zzzzzzzzzzzzzzzz' }, 'body.newPassword'],
      [{ token, newPassword: `${NEW_PASSWORD}\u0000` }, 'body.newPassword'],
      [{ token, newPassword: NEW_PASSWORD, email: user.email }, 'body.email'],
    ];
    for (const [body, field] of cases) {
      const res = await rawRequest('POST', '/api/v1/auth/password-reset/confirm', { body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(problemOf(res).code).to.equal('validation-failed');
      expect(JSON.stringify(problemOf(res).errors), JSON.stringify(body)).to.include(field);
    }
    expect((await resetTokenRow(token))?.used_at).to.equal(null);
    expect((await confirm(token)).response.status).to.equal(204);
  });
});
