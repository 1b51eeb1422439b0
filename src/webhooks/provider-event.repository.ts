import { fn } from 'sequelize';
import type { Tx } from '../platform/db/db';
import { sql } from '../platform/db/sql';
import { ProviderEventModel } from './provider-event.model';

/** A provider's event as the inbox stores it. */
export interface ProviderEventRecord {
  provider: string;
  eventId: string;
  type: string;
  payload: unknown;
}

/** provider_events, the inbox of provider webhooks: the only code that names it. */
export const providerEventRepository = {
  /**
   * Stores the event under its unique key; false when it was already there (a redelivery).
   * Raw SQL because exactly-once needs it: ON CONFLICT DO NOTHING RETURNING tells a redelivery apart
   * in one statement, without a failed insert aborting the transaction (the model cannot say that).
   */
  async store(tx: Tx, e: ProviderEventRecord): Promise<boolean> {
    const rows = await sql(
      tx,
      `INSERT INTO provider_events (provider, event_id, type, payload) VALUES ($1, $2, $3, $4::jsonb)
       ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
      [e.provider, e.eventId, e.type, JSON.stringify(e.payload)],
    );
    return rows.length > 0;
  },

  async outcomeOf(tx: Tx, provider: string, eventId: string): Promise<string | null> {
    const row = await ProviderEventModel.findOne({ attributes: ['outcome'], where: { provider, eventId }, transaction: tx, raw: true });
    return row?.outcome ?? null;
  },

  async markProcessed(tx: Tx, provider: string, eventId: string, outcome: string): Promise<void> {
    await ProviderEventModel.update({ processedAt: fn('clock_timestamp'), outcome }, { where: { provider, eventId }, transaction: tx });
  },
};
