import type { Db, DbTarget, Tx } from '../platform/db/db';
import { sql, sqlOne, type SqlStatement } from '../platform/db/sql';
import type { CursorState } from '../platform/events';

/** An enabled subscription, as the fan-out matches events against it. */
export interface SubscriptionTargetRecord {
  id: string;
  eventTypes: string[];
  createdAt: Date;
}

export interface NewDelivery {
  subscriptionId: string;
  messageId: string;
  eventId: number | null;
  eventType: string;
  body: string;
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDeliveryRecord {
  id: string;
  subscriptionId: string;
  messageId: string;
  body: string;
  attemptCount: number;
  url: string;
  secretCiphertext: string;
  previousSecretCiphertext: string | null;
  previousSecretExpiresAt: Date | null;
}

/** An attempt to append to the log. */
export interface NewAttempt {
  deliveryId: string;
  attemptedAt: Date;
  durationMs: number;
  statusCode: number | null;
  errorKind: string | null;
  responseBody: string | null;
  requestHeaders: Record<string, string>;
  manual: boolean;
}

/** A scheduled attempt's outcome and the delivery's next state. */
export interface ScheduledOutcome extends Omit<NewAttempt, 'manual'> {
  subscriptionId: string;
  status: 'pending' | 'succeeded' | 'failed';
  nextAttemptAt: Date | null;
}

/** What a batch of attempts does to one subscription's health. */
export interface HealthChange {
  subscriptionId: string;
  anySucceeded: boolean;
  anyFailed: boolean;
  lastSucceeded: boolean;
}

/** The subscription's health after an attempt, to decide whether to disable it. */
export interface HealthRecord {
  enabled: boolean;
  url: string;
  failingForMs: number | null;
}

interface SubscriptionTargetRow {
  id: string;
  event_types: string[];
  created_at: Date;
}

interface ClaimedRow {
  id: string;
  subscription_id: string;
  message_id: string;
  body: string;
  attempt_count: number;
  url: string;
  secret_ciphertext: string;
  previous_secret_ciphertext: string | null;
  previous_secret_expires_at: Date | null;
}

interface HealthRow {
  enabled: boolean;
  url: string;
  failing_for_ms: number | null;
}

const toSubscriptionTargetRecord = (row: SubscriptionTargetRow): SubscriptionTargetRecord => ({
  id: row.id,
  eventTypes: row.event_types,
  createdAt: row.created_at,
});
const toClaimedDeliveryRecord = (row: ClaimedRow): ClaimedDeliveryRecord => ({
  id: row.id,
  subscriptionId: row.subscription_id,
  messageId: row.message_id,
  body: row.body,
  attemptCount: row.attempt_count,
  url: row.url,
  secretCiphertext: row.secret_ciphertext,
  previousSecretCiphertext: row.previous_secret_ciphertext,
  previousSecretExpiresAt: row.previous_secret_expires_at,
});
const toHealthRecord = (row: HealthRow): HealthRecord => ({ enabled: row.enabled, url: row.url, failingForMs: row.failing_for_ms });

/** The unnest columns of recordOutcomes, in the order of its parameters. */
const HEALTH_COLUMNS = ['subscriptionId', 'anySucceeded', 'anyFailed', 'lastSucceeded'] as const;
const OUTCOME_COLUMNS = [
  'deliveryId',
  'subscriptionId',
  'status',
  'nextAttemptAt',
  'statusCode',
  'attemptedAt',
  'durationMs',
  'errorKind',
  'responseBody',
] as const;

/**
 * The delivery worker's claim (a statement of its own so that the query-plan test can EXPLAIN it):
 * per enabled subscription, its own oldest due deliveries up to its free slots (SKIP LOCKED,
 * webhook_deliveries_pending_idx), a few index entries each whatever the backlog, so a subscription
 * with thousands due — its receiver hanging, or itself disabled — cannot crowd out the others.
 * Across subscriptions it takes their first due delivery each, then their second, and so on, oldest
 * first within a rank. Busy slots are the live claims of every worker except `answered`; two claims
 * at the same instant (two instances) do not see each other's, so each may fill the free slots.
 */
export function claimDueSql(limit: number, perSubscription: number, leaseMs: number, answered: readonly string[]): SqlStatement {
  return {
    text: `WITH candidates AS (
         SELECT due.id, due.rank, due.next_attempt_at
           FROM webhook_subscriptions s
           CROSS JOIN LATERAL (
             SELECT $2::int - count(*)::int AS room FROM webhook_deliveries b
              WHERE b.subscription_id = s.id AND b.claimed_until > now() AND b.id <> ALL($4::uuid[])) busy
           CROSS JOIN LATERAL (
             SELECT w.id, w.next_attempt_at, row_number() OVER (ORDER BY w.next_attempt_at, w.id) AS rank
               FROM (SELECT d.id, d.next_attempt_at FROM webhook_deliveries d
                      WHERE d.subscription_id = s.id AND d.status = 'pending' AND d.next_attempt_at <= now()
                        AND (d.claimed_until IS NULL OR d.claimed_until <= now())
                      ORDER BY d.next_attempt_at, d.id
                      LIMIT greatest(busy.room, 0)
                      FOR UPDATE OF d SKIP LOCKED) w) due
          WHERE s.enabled),
       picked AS (SELECT id FROM candidates ORDER BY rank, next_attempt_at, id LIMIT $1)
       UPDATE webhook_deliveries d SET claimed_until = now() + make_interval(secs => $3::float8 / 1000)
         FROM picked, webhook_subscriptions s
        WHERE d.id = picked.id AND s.id = d.subscription_id
       RETURNING d.id, d.subscription_id, d.message_id, d.body, d.attempt_count, s.url, s.secret_ciphertext,
                 s.previous_secret_ciphertext, s.previous_secret_expires_at`,
    values: [limit, perSubscription, leaseMs, answered],
  };
}

/**
 * The statements of fan-out and delivery. Raw SQL (sql()) because each is a set operation or a
 * locking claim that Sequelize cannot express: SKIP LOCKED claims, unnest inserts, ON CONFLICT.
 */
export const deliveryRepository = {
  /** The cursor row, locked; undefined while another instance advances it. */
  async lockCursor(tx: Tx): Promise<CursorState | undefined> {
    // One fan-out at a time across instances: SKIP LOCKED, so a busy instance returns at once.
    const row = await sqlOne<{ last_id: string; gaps: [number, number][] }>(
      tx,
      'SELECT last_id, gaps FROM webhook_fanout_cursor WHERE id = 1 FOR UPDATE SKIP LOCKED',
    );
    return row && { lastId: Number(row.last_id), gaps: row.gaps };
  },

  async enabledTargets(tx: Tx): Promise<SubscriptionTargetRecord[]> {
    // Few rows (one per integrator): every enabled subscription, to match events against.
    return (await sql<SubscriptionTargetRow>(tx, 'SELECT id, event_types, created_at FROM webhook_subscriptions WHERE enabled')).map(
      toSubscriptionTargetRecord,
    );
  },

  async skipToEnd(tx: Tx): Promise<void> {
    // No enabled subscription: nothing to deliver, so the cursor jumps to the newest event.
    await sql(
      tx,
      "UPDATE webhook_fanout_cursor SET last_id = greatest(last_id, (SELECT coalesce(max(id), 0) FROM events)), gaps = '[]', updated_at = now() WHERE id = 1",
    );
  },

  async saveCursor(tx: Tx, cursor: CursorState): Promise<void> {
    // The cursor advances in the transaction that inserted the deliveries: both or neither.
    await sql(tx, 'UPDATE webhook_fanout_cursor SET last_id = $1, gaps = $2::jsonb, updated_at = now() WHERE id = 1', [
      cursor.lastId,
      JSON.stringify(cursor.gaps),
    ]);
  },

  /** Inserts deliveries; one per (subscription, event) at most, so a repeated fan-out adds nothing. */
  async insertDeliveries(target: DbTarget, rows: readonly NewDelivery[]): Promise<number> {
    if (rows.length === 0) return 0;
    // One statement for a whole batch (unnest), idempotent through UNIQUE (subscription_id, event_id).
    const inserted = await sql<{ id: string }>(
      target,
      `INSERT INTO webhook_deliveries (subscription_id, message_id, event_id, event_type, body, next_attempt_at)
       SELECT s, m, e, t, b, now() FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::text[], $5::text[]) AS x(s, m, e, t, b)
       ON CONFLICT (subscription_id, event_id) DO NOTHING RETURNING id`,
      [rows.map((r) => r.subscriptionId), rows.map((r) => r.messageId), rows.map((r) => r.eventId), rows.map((r) => r.eventType), rows.map((r) => r.body)],
    );
    return inserted.length;
  },

  /**
   * Claims due deliveries of enabled subscriptions, at most `perSubscription` in flight per
   * subscription (counting the claims other workers hold, except `answered`: this worker's claims
   * whose receiver has answered, being recorded), leased for `leaseMs`: a worker that dies
   * mid-send leaves a claim that expires, and the delivery is sent again with the same webhook-id.
   */
  async claimDue(db: Db, limit: number, perSubscription: number, leaseMs: number, answered: readonly string[] = []): Promise<ClaimedDeliveryRecord[]> {
    const claim = claimDueSql(limit, perSubscription, leaseMs, answered);
    return (await sql<ClaimedRow>(db, claim.text, claim.values)).map(toClaimedDeliveryRecord);
  },

  async insertAttempt(tx: Tx, a: NewAttempt): Promise<void> {
    // Append-only attempt log.
    await sql(
      tx,
      `INSERT INTO webhook_delivery_attempts (delivery_id, attempted_at, duration_ms, status_code, error_kind, response_body, request_headers, manual)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`,
      [a.deliveryId, a.attemptedAt, a.durationMs, a.statusCode, a.errorKind, a.responseBody, JSON.stringify(a.requestHeaders), a.manual],
    );
  },

  /**
   * After a batch of scheduled attempts, in one statement (so a batch of successes needs no
   * transaction): the subscriptions' health (rows locked in id order, before their deliveries, the
   * order a deletion takes, so neither two batches nor a deletion can deadlock with it); then each
   * delivery succeeded, failed for good, or pending again at its `nextAttemptAt`, its claim ended,
   * and its attempt logged. Health per subscription: the last outcome a success clears
   * failing_since; a failure after a success starts it now; failures alone start it when unset.
   * Answers each subscription's state and how long it has been failing; a deleted subscription is
   * not returned and its deliveries (gone with it) get nothing.
   */
  async recordOutcomes(target: DbTarget, changes: readonly HealthChange[], outcomes: readonly ScheduledOutcome[]): Promise<(HealthRecord & { id: string })[]> {
    // Raw for speed: set-based data-modifying CTEs, one round trip per batch instead of four per attempt.
    const rows = await sql<HealthRow & { id: string }>(
      target,
      `WITH h AS (SELECT * FROM unnest($1::uuid[], $2::bool[], $3::bool[], $4::bool[]) AS h(id, any_ok, any_failed, last_ok)),
       locked AS (SELECT id FROM webhook_subscriptions WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE),
       health AS (
         UPDATE webhook_subscriptions s SET
                last_success_at = CASE WHEN h.any_ok THEN now() ELSE s.last_success_at END,
                last_failure_at = CASE WHEN h.any_failed THEN now() ELSE s.last_failure_at END,
                failing_since = CASE WHEN h.last_ok THEN NULL WHEN h.any_ok THEN now() ELSE coalesce(s.failing_since, now()) END
           FROM locked JOIN h USING (id) WHERE s.id = locked.id
         RETURNING s.id, s.enabled, s.url, (extract(epoch FROM now() - s.failing_since) * 1000)::float8 AS failing_for_ms),
       x AS (
         SELECT * FROM unnest($5::uuid[], $6::uuid[], $7::text[], $8::timestamptz[], $9::int[], $10::timestamptz[], $11::int[], $12::text[], $13::text[], $14::text[])
           AS x(id, subscription_id, status, next_at, status_code, attempted_at, duration_ms, error_kind, response_body, headers)),
       settled AS (
         UPDATE webhook_deliveries d SET status = x.status, next_attempt_at = x.next_at, claimed_until = NULL, attempt_count = d.attempt_count + 1,
                last_attempt_at = now(), last_status_code = x.status_code, updated_at = now()
           FROM x JOIN health ON health.id = x.subscription_id WHERE d.id = x.id
         RETURNING d.id),
       logged AS (
         INSERT INTO webhook_delivery_attempts (delivery_id, attempted_at, duration_ms, status_code, error_kind, response_body, request_headers, manual)
         SELECT x.id, x.attempted_at, x.duration_ms, x.status_code, x.error_kind, x.response_body, x.headers::jsonb, false FROM x JOIN settled USING (id))
       SELECT * FROM health`,
      [
        ...HEALTH_COLUMNS.map((key) => changes.map((c) => c[key])),
        ...OUTCOME_COLUMNS.map((key) => outcomes.map((o) => o[key])),
        outcomes.map((o) => JSON.stringify(o.requestHeaders)),
      ],
    );
    return rows.map((row) => ({ id: row.id, ...toHealthRecord(row) }));
  },

  /** After a manual attempt: only a success changes the delivery (not rescheduled otherwise). */
  async settleManual(tx: Tx, id: string, succeeded: boolean, statusCode: number | null): Promise<void> {
    // One row by primary key.
    await sql(
      tx,
      `UPDATE webhook_deliveries SET last_attempt_at = now(), last_status_code = $3, updated_at = now(),
              status = CASE WHEN $2 THEN 'succeeded' ELSE status END,
              next_attempt_at = CASE WHEN $2 THEN NULL ELSE next_attempt_at END
        WHERE id = $1`,
      [id, succeeded, statusCode],
    );
  },

  /** A manual attempt succeeded: the subscription is healthy again (answers undefined when it was deleted). */
  async recordManualSuccess(tx: Tx, subscriptionId: string): Promise<HealthRecord | undefined> {
    // One row by primary key, locked before its delivery (the order its deletion takes).
    const row = await sqlOne<HealthRow>(
      tx,
      'UPDATE webhook_subscriptions SET last_success_at = now(), failing_since = NULL WHERE id = $1 RETURNING enabled, url, NULL::float8 AS failing_for_ms',
      [subscriptionId],
    );
    return row && toHealthRecord(row);
  },

  async lockSubscription(tx: Tx, subscriptionId: string): Promise<HealthRecord | undefined> {
    // One row by primary key, locked before its deliveries (the order its deletion takes).
    const row = await sqlOne<HealthRow>(tx, 'SELECT enabled, url, NULL::float8 AS failing_for_ms FROM webhook_subscriptions WHERE id = $1 FOR UPDATE', [
      subscriptionId,
    ]);
    return row && toHealthRecord(row);
  },

  async disable(tx: Tx, subscriptionId: string, reason: string): Promise<boolean> {
    // One row by primary key, only when still enabled (so one disabling sends one staff event).
    const rows = await sql(
      tx,
      'UPDATE webhook_subscriptions SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1 AND enabled RETURNING id',
      [subscriptionId, reason],
    );
    return rows.length > 0;
  },

  async purgeOlderThan(db: Db, days: number, batch: number): Promise<number> {
    // Retention: deliveries past WEBHOOK_LOG_RETENTION_DAYS, in batches (attempts go by cascade).
    const rows = await sql(
      db,
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE created_at < now() - make_interval(days => $1)
          LIMIT $2 FOR UPDATE SKIP LOCKED) RETURNING 1`,
      [days, batch],
    );
    return rows.length;
  },
};
