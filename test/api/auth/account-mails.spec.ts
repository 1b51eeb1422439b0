import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { asAdmin, createUser, login } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { h, PUBLIC_URL_IN_TESTS } from '../../support/hooks';
import { withSecondService } from '../../support/services';
import type { ReceivedMail } from '../../support/smtp';
import { ownClientAddress, requestReset, resetTokenRow, resetTokensOf, sha256Hex } from '../../support/account';

const RESET_SUBJECT = 'Reimposta la password del tuo account QuickStock';
const CHANGED_SUBJECT = 'Password modificata';
const NEW_PASSWORD = 'Cucitrice-a-pinza-2027';

/** Waits for the `count`-th mail with `subject` to `address`. */
async function mailsTo(address: string, subject: string, count = 1): Promise<ReceivedMail[]> {
  return h().smtp.waitFor(count, (m) => m.envelopeTo.includes(address.toLowerCase()) && m.parsed.subject === subject);
}

/** The token of the link in a reset mail (the link is PUBLIC_URL's by default). */
function linkIn(mail: ReceivedMail, origin = PUBLIC_URL_IN_TESTS): { url: string; token: string } {
  const escaped = origin.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`${escaped}/console/password-reset#token=([A-Za-z0-9_-]{43})`).exec(mail.parsed.text ?? '');
  if (!match) throw new Error(`no reset link in: ${mail.parsed.text}`);
  return { url: match[0], token: match[1]! };
}

describe('account mails: the reset link and "Password modificata"', function () {
  this.timeout(30_000);

  it('mails the reset link (token in the fragment, stored only as its hash) to a known address, and the link works once', async () => {
    const user = await createUser('customer', { name: 'Cartoleria Bianchi' });
    expect((await requestReset(ownClientAddress(), { email: user.email })).status).to.equal(202);
    const [mail] = await mailsTo(user.email, RESET_SUBJECT);
    const { token } = linkIn(mail!);
    expect(mail!.parsed.text).to.include('Ciao Cartoleria Bianchi,');
    expect(mail!.parsed.html).to.include(`${PUBLIC_URL_IN_TESTS}/console/password-reset#token=${token}`);
    const [stored] = await resetTokensOf(user.id);
    expect(stored?.token_hash).to.equal(sha256Hex(token));
    expect(JSON.stringify(await query('SELECT * FROM password_reset_tokens WHERE user_id = $1', [user.id]))).not.to.include(token);
    // The mail row was written with the token, in its transaction.
    const rows = await query<{ template: string; status: string }>(
      "SELECT template, status FROM email_messages WHERE user_id = $1 AND template = 'password_reset'",
      [user.id],
    );
    expect(rows).to.have.length(1);

    expect((await client().POST('/api/v1/auth/password-reset/confirm', { body: { token, newPassword: NEW_PASSWORD } })).response.status).to.equal(204);
    expect((await resetTokenRow(token))?.used_at).to.be.an.instanceOf(Date);
    const [changed] = await mailsTo(user.email, CHANGED_SUBJECT);
    expect(changed!.parsed.text).to.include('con il link di reimpostazione');
    const again = await client().POST('/api/v1/auth/password-reset/confirm', { body: { token, newPassword: 'Ancora-un-altra-cucitrice-3' } });
    expect(again.error?.code).to.equal('invalid-reset-token');
    expect((await login(user.email, NEW_PASSWORD)).tokenType).to.equal('Bearer');
  });

  it('mails nothing to an unknown or a disabled address, and at most 3 reset mails per address per hour', async () => {
    const [capped, disabled] = await Promise.all([createUser('customer'), createUser('customer')]);
    await client(await asAdmin()).PATCH('/api/v1/users/{id}', { params: { path: { id: disabled.id } }, body: { disabled: true } });
    const unknown = `nessuno-${randomUUID()}@example.test`;
    const from = ownClientAddress();
    expect((await requestReset(from, { email: unknown })).status).to.equal(202);
    expect((await requestReset(from, { email: disabled.email })).status).to.equal(202);
    for (let i = 0; i < 5; i += 1) expect((await requestReset(from, { email: capped.email })).status).to.equal(202);
    const mails = await mailsTo(capped.email, RESET_SUBJECT, 3);
    // Each mail carries its own token.
    const tokens = mails.map((m) => linkIn(m).token);
    expect(new Set(tokens).size).to.equal(3);
    // As sets: the mails may arrive in another order than the rows were written.
    expect((await resetTokensOf(capped.id)).map((t) => t.token_hash).sort()).to.deep.equal(tokens.map(sha256Hex).sort());
    // The unknown and disabled requests were sent first, and are committed with nothing to send.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h().smtp.to(unknown)).to.have.length(0);
    expect(h().smtp.to(disabled.email)).to.have.length(0);
    expect(
      h()
        .smtp.to(capped.email)
        .filter((m) => m.parsed.subject === RESET_SUBJECT),
    ).to.have.length(3);
    expect(await query('SELECT 1 FROM email_messages WHERE recipient = $1 OR user_id = $2', [unknown, disabled.id])).to.have.length(0);
  });

  it('mails "Password modificata" after a user changes its own password and after an admin sets it', async () => {
    const [own, byAdmin] = await Promise.all([createUser('customer'), createUser('operator')]);
    // A wrong current password changes nothing and mails nothing.
    const wrong = await client(own.token).POST('/api/v1/auth/password', { body: { currentPassword: 'sbagliata-davvero', newPassword: 'Altra-cucitrice-99' } });
    expect(wrong.response.status).to.equal(403);
    expect(
      (await client(own.token).POST('/api/v1/auth/password', { body: { currentPassword: own.password, newPassword: NEW_PASSWORD } })).response.status,
    ).to.equal(200);
    const set = await client(await asAdmin()).POST('/api/v1/users/{id}/password', { params: { path: { id: byAdmin.id } }, body: { password: NEW_PASSWORD } });
    expect(set.response.status).to.equal(204);
    const [mine] = await mailsTo(own.email, CHANGED_SUBJECT);
    expect(mine!.parsed.text).to.include('dalle impostazioni del tuo account');
    const [admins] = await mailsTo(byAdmin.email, CHANGED_SUBJECT);
    expect(admins!.parsed.text).to.include('da un amministratore');
    expect(
      h()
        .smtp.to(own.email)
        .filter((m) => m.parsed.subject === CHANGED_SUBJECT),
    ).to.have.length(1);
  });

  it('links to PASSWORD_RESET_URL when it is set (an integrator’s own page)', async () => {
    const user = await createUser('customer');
    const shop = 'https://negozio.example/recupera-password?lingua=it#token={token}';
    await withSecondService({ PASSWORD_RESET_URL: shop }, async (baseUrl) => {
      expect((await requestReset(ownClientAddress(), { email: user.email }, baseUrl)).status).to.equal(202);
    });
    const [mail] = await mailsTo(user.email, RESET_SUBJECT);
    expect(mail!.parsed.text).to.match(/https:\/\/negozio\.example\/recupera-password\?lingua=it#token=[A-Za-z0-9_-]{43}/);
  });
});
