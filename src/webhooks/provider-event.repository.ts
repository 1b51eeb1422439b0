import type { Transaction } from 'sequelize';
import { sql, sqlOne } from '../platform/db/sql';

export interface InboundEvent {
  provider: string;
  eventId: string;
  type: string;
  payload: unknown;
}

/** provider_events, the inbox of provider webhooks: the only SQL that names it. */
export const providerEventRepository = {
  /** Stores the event under its unique key; false when it was already there (a redelivery). */
  async store(tx: Transaction, e: InboundEvent): Promise<boolean> {
    const rows = await sql(
      tx,
      `INSERT INTO provider_events (provider, event_id, type, payload) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
      [e.provider, e.eventId, e.type, JSON.stringify(e.payload)],
    );
    return rows.length > 0;
  },

  async outcomeOf(tx: Transaction, provider: string, eventId: string): Promise<string | null> {
    const row = await sqlOne<{ outcome: string | null }>(tx, 'SELECT outcome FROM provider_events WHERE provider = $1 AND event_id = $2', [provider, eventId]);
    return row?.outcome ?? null;
  },

  async markProcessed(tx: Transaction, provider: string, eventId: string, outcome: string): Promise<void> {
    await sql(tx, 'UPDATE provider_events SET processed_at = clock_timestamp(), outcome = $3 WHERE provider = $1 AND event_id = $2', [provider, eventId, outcome]);
  },
};
