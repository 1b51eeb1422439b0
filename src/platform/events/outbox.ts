import type { Sequelize } from 'sequelize-typescript';
import { QueryTypes, type Transaction } from 'sequelize';

export const EVENTS_CHANNEL = 'quickstock_events';

export interface DomainEvent {
  type: string;
  data: Record<string, unknown>;
  /** Staff always see events; a customer sees those addressed to it. */
  customerId?: string | null;
}

/**
 * Writes a domain event to the outbox in the caller's transaction, so the event exists exactly
 * when the change it describes does. NOTIFY wakes dispatchers at commit (and not before).
 */
export async function recordEvent(sequelize: Sequelize, tx: Transaction, event: DomainEvent): Promise<number> {
  const [row] = await sequelize.query<{ id: string }>(
    `INSERT INTO events (type, data, audience_staff, audience_user_id)
     VALUES (:type, :data::jsonb, true, :customerId) RETURNING id`,
    {
      replacements: { type: event.type, data: JSON.stringify(event.data), customerId: event.customerId ?? null },
      type: QueryTypes.SELECT,
      transaction: tx,
    },
  );
  await sequelize.query(`SELECT pg_notify('${EVENTS_CHANNEL}', :id)`, { replacements: { id: String(row?.id) }, transaction: tx });
  return Number(row?.id);
}
