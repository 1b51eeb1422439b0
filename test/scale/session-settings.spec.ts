import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { h } from '../support/hooks';

/**
 * The service's safety timeouts hold on every pooled connection: sent as startup parameters when it
 * talks to PostgreSQL directly, set by PgBouncer's connect_query when it does not pass them on
 * (`make test-pgbouncer` runs this spec there).
 */
describe('session settings of the service connections', () => {
  it('keeps the 15 s statement timeout and the 60 s idle-in-transaction timeout on pooled connections', async () => {
    const sequelize = h().server.services.sequelize;
    const rows = await Promise.all(
      Array.from({ length: 4 }, () =>
        sequelize.query<{ statement_timeout: string; idle: string }>(
          "SELECT current_setting('statement_timeout') AS statement_timeout, current_setting('idle_in_transaction_session_timeout') AS idle",
          { type: QueryTypes.SELECT },
        ),
      ),
    );
    for (const [row] of rows) expect(row).to.deep.equal({ statement_timeout: '15s', idle: '1min' });
  });
});
