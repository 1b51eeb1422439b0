import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { Sequelize } from 'sequelize-typescript';
import { AccessTokens } from '../../../src/auth';
import { Db } from '../../../src/platform/db/db';

const JWT = { secret: 'unit-test-secret-unit-test-secret', issuer: 'quickstock', audience: 'quickstock-api', accessTtlSeconds: 900, sessionCacheMs: 60_000 };

/** A Db whose pool hands out one fake connection that records each statement and answers `row`. */
function recordingDb(row: () => object | undefined): { db: Db; statements: { text: string; values: readonly unknown[] }[] } {
  const statements: { text: string; values: readonly unknown[] }[] = [];
  const connection = {
    query: (text: string, values: readonly unknown[] = []) => {
      statements.push({ text, values });
      const answer = row();
      return Promise.resolve({ rows: answer ? [answer] : [] });
    },
  };
  const sequelize = { connectionManager: { getConnection: () => Promise.resolve(connection), releaseConnection: () => Promise.resolve() } };
  return { db: new Db(sequelize as unknown as Sequelize), statements };
}

describe('access-token check (unit)', () => {
  const user = { id: randomUUID(), role: 'operator' as const, tokenVersion: 3 };
  const sessionId = randomUUID();

  it('checks the user and its sign-in in one statement, then answers from its cache until a revocation', async () => {
    const { db, statements } = recordingDb(() => ({ id: user.id, role: user.role, disabled: false, token_version: 3, condition_met: false }));
    const tokens = new AccessTokens(JWT, db, JWT.sessionCacheMs);
    const { token } = tokens.sign(user, sessionId);

    const actor = await tokens.authenticateToken(token);
    expect(actor).to.include({ id: user.id, role: 'operator', sessionId });
    expect(statements).to.have.length(1);
    expect(statements[0]!.text)
      .to.match(/FROM users/)
      .and.to.match(/refresh_tokens/);
    expect(statements[0]!.values).to.deep.equal([user.id, sessionId]);

    await tokens.authenticateToken(token);
    expect(statements, 'cached').to.have.length(1);

    tokens.forgetSessions();
    await tokens.authenticateToken(token);
    expect(statements, 'asked again after a revocation').to.have.length(2);
  });

  it('refuses a token whose sign-in was ended, or whose user is disabled or at another token version', async () => {
    for (const stored of [
      { disabled: false, token_version: 3, condition_met: true },
      { disabled: true, token_version: 3, condition_met: false },
      { disabled: false, token_version: 4, condition_met: false },
    ]) {
      const { db } = recordingDb(() => ({ id: user.id, role: user.role, ...stored }));
      const tokens = new AccessTokens(JWT, db, JWT.sessionCacheMs);
      const err = await tokens.authenticateToken(tokens.sign(user, sessionId).token).catch((e: unknown) => e);
      expect(err, JSON.stringify(stored)).to.be.an('error').with.property('status', 401);
    }
  });
});
