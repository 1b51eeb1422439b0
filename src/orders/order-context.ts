import type { Db, Tx } from '../platform/db/db';
import type { Schemas } from '../platform/http/contract';
import type { Logger } from 'pino';
import type { CustomerLimits } from '../platform/config';
import type { RateLimit } from '../platform/rate-limit';
import type { IdempotencyStore } from '../platform/idempotency';
import type { InventoryService } from '../inventory';
import type { PaymentsService } from '../payments';
import type { ShippingService } from '../shipping';

/** Who may be named as an order's customer (answered by users). */
export type CustomerLookup = (id: string) => Promise<{ role: string; disabled: boolean } | null>;

export type CustomerSummary = Schemas['CustomerSummary'];

/**
 * Customers as users know them (answered by users, which own the table): summaries of the ids
 * named, in one lookup per call, the same summary as an SQL expression over a customer id column
 * (users' part of the one-statement order read), and the ids of customers whose name or email
 * contains a text.
 */
export interface CustomerDirectory {
  summaries(ids: readonly string[], tx?: Tx): Promise<Map<string, CustomerSummary>>;
  /** A JSON CustomerSummary (null for no such user) of the user `customerId` (an SQL expression) names. */
  summarySql(customerId: string): string;
  idsMatching(q: string): Promise<string[]>;
}

/**
 * A carrier sent a parcel back (`return_to_sender`), inside the webhook's transaction that holds the
 * order's lock: returns make an approved return of its units (injected: returns import orders).
 */
export type ParcelReturned = (
  tx: Tx,
  parcel: { orderId: string; shipmentId: string; trackingCode: string; lines: readonly { productId: string; quantity: number }[] },
) => Promise<void>;

/** What the order use cases work with; built once in the composition root. */
export interface OrderContext {
  /** Opens the use cases' transactions (never a Sequelize: see platform/db). */
  db: Db;
  inventory: InventoryService;
  payments: PaymentsService;
  shipping: ShippingService;
  idempotency: IdempotencyStore;
  logger: Logger;
  reservationTtlMinutes: number;
  customerLimits: CustomerLimits;
  /** Per user: orders placed and payments created (429 beyond). */
  rateLimits: { orders: RateLimit; payments: RateLimit };
  findCustomer: CustomerLookup;
  customers: CustomerDirectory;
  parcelReturned: ParcelReturned;
}

/** The summary of one customer from a lookup; every order names an existing user (foreign key). */
export function customerFrom(found: ReadonlyMap<string, CustomerSummary>, id: string): CustomerSummary {
  const customer = found.get(id);
  if (!customer) throw new Error(`order customer ${id} not found by users`);
  return customer;
}
