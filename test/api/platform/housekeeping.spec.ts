import { expect } from 'chai';
import { customer } from '../../support/api';
import { h } from '../../support/hooks';
import { query } from '../../support/database';

describe('housekeeping', () => {
  it('deletes expired idempotency keys, long-expired refresh tokens and dispatched events past retention, and nothing else', async () => {
    const user = await customer();
    await query(
      `INSERT INTO idempotency_keys (user_id, scope, key, request_hash, state, expires_at) VALUES
         ($1, 'createOrder', 'old', 'h', 'completed', now() - interval '1 minute'),
         ($1, 'createOrder', 'live', 'h', 'completed', now() + interval '1 day')`,
      [user.id],
    );
    await query(
      `INSERT INTO refresh_tokens (user_id, family_id, token_hash, expires_at, idle_expires_at) VALUES
         ($1, gen_random_uuid(), 'hk-old', now() - interval '2 days', now() - interval '2 days'),
         ($1, gen_random_uuid(), 'hk-recent', now() - interval '1 hour', now() - interval '1 hour')`,
      [user.id],
    );
    const [oldEvent] = await query(
      `INSERT INTO events (type, data, audience_staff, occurred_at, dispatched_at)
       VALUES ('inventory.low_stock', '{}', true, now() - interval '25 hours', now() - interval '25 hours') RETURNING id`,
    );
    const [undispatched] = await query(
      `INSERT INTO events (type, data, audience_staff, occurred_at)
       VALUES ('inventory.low_stock', '{}', false, now() - interval '25 hours') RETURNING id`,
    );
    await h().server.dispatcher.stop(); // keep the old undispatched row undispatched for this test
    try {
      await query('UPDATE events SET dispatched_at = NULL WHERE id = $1', [undispatched.id]);
      await h().server.housekeeper.runOnce();
      expect((await query('SELECT key FROM idempotency_keys WHERE user_id = $1 ORDER BY key', [user.id])).map((r) => r.key)).to.deep.equal(['live']);
      expect((await query("SELECT token_hash FROM refresh_tokens WHERE token_hash LIKE 'hk-%'")).map((r) => r.token_hash)).to.deep.equal(['hk-recent']);
      expect(await query('SELECT id FROM events WHERE id = $1', [oldEvent.id])).to.have.length(0);
      expect(await query('SELECT id FROM events WHERE id = $1', [undispatched.id]), 'never dispatched, so kept').to.have.length(1);
    } finally {
      await query('UPDATE events SET dispatched_at = now() WHERE id = $1', [undispatched.id]);
      await h().server.dispatcher.start();
    }
  });
});
