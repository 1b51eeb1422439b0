import { expect } from 'chai';
import { createUser, problemOf, rawRequest } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';

const setOrderEmails = (token: string, orderEmails: boolean) => client(token).PATCH('/api/v1/auth/me', { body: { orderEmails } });
const stored = async (id: string) => (await query<{ order_emails: boolean }>('SELECT order_emails FROM users WHERE id = $1', [id]))[0]?.order_emails;

describe('PATCH /auth/me: the order-mail preference', () => {
  it('shows orderEmails (true for a new account) and lets a customer turn order mails off and on again', async () => {
    const user = await createUser('customer');
    expect((await client(user.token).GET('/api/v1/auth/me')).data?.orderEmails).to.equal(true);

    const off = await setOrderEmails(user.token, false);
    expect(off.response.status).to.equal(200);
    expect(off.data).to.include({ id: user.id, orderEmails: false, role: 'customer' });
    expect(await stored(user.id)).to.equal(false);
    expect((await client(user.token).GET('/api/v1/auth/me')).data?.orderEmails).to.equal(false);

    // The same value again changes nothing and answers the user as it is.
    const again = await setOrderEmails(user.token, false);
    expect(again.data?.updatedAt).to.equal(off.data?.updatedAt);

    expect((await setOrderEmails(user.token, true)).data?.orderEmails).to.equal(true);
    expect(await stored(user.id)).to.equal(true);
  });

  it('is open to any signed-in user, staff included, and changes only the caller', async () => {
    const [op, bystander] = await Promise.all([createUser('operator'), createUser('customer')]);
    expect((await setOrderEmails(op.token, false)).data?.orderEmails).to.equal(false);
    expect(await stored(op.id)).to.equal(false);
    expect(await stored(bystander.id)).to.equal(true);
  });

  it('refuses unknown members, an empty body and wrong types with 400 (no mass assignment), and a missing token with 401', async () => {
    const user = await createUser('customer');
    const cases: [unknown, string][] = [
      [{}, 'body'],
      [{ orderEmails: 'false' }, 'body.orderEmails'],
      [{ orderEmails: 0 }, 'body.orderEmails'],
      [{ orderEmails: null }, 'body.orderEmails'],
      [{ orderEmails: false, role: 'admin' }, 'body.role'],
      [{ orderEmails: false, disabled: true }, 'body.disabled'],
      [{ name: 'Nuovo nome' }, 'body.name'],
      [{ orderEmails: false, 'x\u0000': 1 }, 'body.x'],
    ];
    for (const [body, field] of cases) {
      const res = await rawRequest('PATCH', '/api/v1/auth/me', { token: user.token, body });
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(problemOf(res).code).to.equal('validation-failed');
      expect(JSON.stringify(problemOf(res).errors), JSON.stringify(body)).to.include(field);
    }
    const [row] = await query<{ order_emails: boolean; role: string; disabled: boolean }>('SELECT order_emails, role, disabled FROM users WHERE id = $1', [
      user.id,
    ]);
    expect(row).to.deep.equal({ order_emails: true, role: 'customer', disabled: false });
    expect((await client().PATCH('/api/v1/auth/me', { body: { orderEmails: false } })).response.status).to.equal(401);
  });
});
