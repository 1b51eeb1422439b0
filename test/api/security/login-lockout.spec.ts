import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { createUser } from '../../support/api';
import { h } from '../../support/hooks';
import { withSecondService } from '../../support/services';
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

  async function underAttack(baseUrl: string, owner: { email: string }, failures: number): Promise<void> {
    for (let i = 0; i < failures; i += 1) {
      expect((await postFrom(baseUrl, `127.0.4.${i + 1}`, LOGIN, { email: owner.email, password: WRONG })).status).to.equal(401);
    }
  }

  async function parallelGuesses(baseUrls: string[], owner: { email: string }, n: number) {
    return Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const started = Date.now();
        const res = await postFrom(baseUrls[i % baseUrls.length]!, `127.0.5.${i + 1}`, LOGIN, { email: owner.email, password: WRONG });
        return { ...res, ms: Date.now() - started };
      }),
    );
  }

  it('evaluates one sign-in at a time on an account under attack: parallel guesses beyond it get 429 at once, the owner still gets in', async function () {
    this.timeout(60_000);
    const owner = await createUser('customer');
    await withSecondService({ LOGIN_MAX_FAILURES: '3', LOGIN_SLOWDOWN_MS: '800' }, async (baseUrl) => {
      await underAttack(baseUrl, owner, 3);
      const answers = await parallelGuesses([baseUrl], owner, 8);
      const evaluated = answers.filter((a) => a.status === 401);
      const refused = answers.filter((a) => a.status === 429);
      expect(evaluated).to.have.length(1);
      expect(refused).to.have.length(7);
      // The one evaluated was slowed down; the others were not held.
      expect(evaluated[0]!.ms).to.be.at.least(800);
      for (const r of refused) {
        expect(r.body.code).to.equal('too-many-attempts');
        expect(r.headers['retry-after']).to.equal('1');
      }
      // Only the evaluated guess counted: 4 failures for the account, none refused at the gate.
      // The owner, once the slot is free, signs in (slowed down, not locked out).
      const started = Date.now();
      const ownerLogin = await postFrom(baseUrl, '127.0.0.9', LOGIN, { email: owner.email, password: owner.password });
      expect(ownerLogin.status).to.equal(200);
      expect(Date.now() - started).to.be.at.least(800);
      // A success clears the attack: parallel sign-ins are evaluated again.
      const after = await parallelGuesses([baseUrl], owner, 3);
      expect(after.map((a) => a.status)).to.deep.equal([401, 401, 401]);
    });
  });

  it('bounds the sign-ins in flight per account across instances through Redis when REDIS_URL is set', async function () {
    const redisUrl = process.env['REDIS_URL'];
    if (!redisUrl) this.skip();
    this.timeout(60_000);
    const owner = await createUser('customer');
    const env = { REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: `qs-test-${randomUUID().slice(0, 8)}`, LOGIN_MAX_FAILURES: '3', LOGIN_SLOWDOWN_MS: '800' };
    await withSecondService(env, async (first) => {
      await withSecondService(env, async (second) => {
        await underAttack(first, owner, 3);
        const answers = await parallelGuesses([first, second], owner, 8);
        expect(answers.filter((a) => a.status === 401)).to.have.length(1);
        expect(answers.filter((a) => a.status === 429)).to.have.length(7);
      });
    });
  });
});
