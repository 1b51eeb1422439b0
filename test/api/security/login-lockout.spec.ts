import { expect } from 'chai';
import { createUser } from '../../support/api';
import { h } from '../../support/hooks';
import { postFrom } from './client-address';

const LOGIN = '/api/v1/auth/login';
const WRONG = 'wrong-password-123';

describe('Sign-in throttling cannot be used to lock the owner out', () => {
  it("lets the owner in from another address after an attacker's 50 failures from one, which stays blocked", async function () {
    this.timeout(30_000);
    const owner = await createUser('customer');
    const statuses: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      statuses.push((await postFrom(h().baseUrl, '127.0.0.2', LOGIN, { email: owner.email, password: WRONG })).status);
    }
    expect(statuses.slice(0, 10)).to.deep.equal(Array(10).fill(401));
    expect(new Set(statuses.slice(10))).to.deep.equal(new Set([429]));

    const started = Date.now();
    const ownerLogin = await postFrom(h().baseUrl, '127.0.0.3', LOGIN, { email: owner.email, password: owner.password });
    expect(ownerLogin.status).to.equal(200);
    expect(ownerLogin.body.accessToken).to.be.a('string');
    // The account is under attack: the owner's attempt was slowed down (LOGIN_SLOWDOWN_MS), not refused.
    expect(Date.now() - started).to.be.greaterThanOrEqual(900);

    // The attacker's address is still blocked for this account, even with the right password.
    const attacker = await postFrom(h().baseUrl, '127.0.0.2', LOGIN, { email: owner.email, password: owner.password });
    expect(attacker.status).to.equal(429);
    expect(Number(attacker.headers['retry-after'])).to.be.greaterThan(0);
  });

  it('slows down but never blocks the owner when failures come from many addresses', async function () {
    this.timeout(30_000);
    const owner = await createUser('customer');
    for (let i = 0; i < 12; i += 1) {
      const res = await postFrom(h().baseUrl, `127.0.1.${i + 1}`, LOGIN, { email: owner.email, password: WRONG });
      expect(res.status).to.be.oneOf([401]);
    }
    const ownerLogin = await postFrom(h().baseUrl, '127.0.0.4', LOGIN, { email: owner.email, password: owner.password });
    expect(ownerLogin.status).to.equal(200);
    expect(ownerLogin.body.accessToken).to.be.a('string');
  });
});
