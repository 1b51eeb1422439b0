import type { Sequelize } from 'sequelize-typescript';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './platform/config';
import { checkDatabase } from './platform/db/database';
import { Db } from './platform/db/db';
import { createMetrics, type Metrics } from './platform/http/metrics';
import { Lifecycle } from './platform/http/lifecycle';
import { IdempotencyStore } from './platform/idempotency';
import { createConcurrencyGate, createLimiterFactory, RateLimit } from './platform/rate-limit';
import { AccessTokens, AuthService, LoginThrottle, PasswordChangeThrottle, PasswordReset, RefreshTokens, revokePasswordResets } from './auth';
import { UsersService, customerSummarySql } from './users';
import { ProductsService } from './products';
import { InventoryService } from './inventory';
import { OrdersService } from './orders';
import { ReturnsService, returnRefundCeiling, type RefundedCentsOfReturns } from './returns';
import { ProductImporter } from './catalog-io';
import { ProviderCaller, ProviderRegistry } from './platform/upstream';
import { ManualPaymentProvider, PaymentsService, StripePaymentProvider, type PaymentProvider } from './payments';
import { EasyPostCarrier, ManualCarrier, ShippingService, type Carrier } from './shipping';
import { WebhooksService } from './webhooks';
import { MODELS } from './models';
import { FirstAdminSetup } from './setup';
import { OutgoingWebhooks } from './outgoing-webhooks';
import { Email, EmailMessagesService } from './email';
import { PurchasingService, SuppliersService } from './purchasing';

/** The composition root: every service, wired once, handed to the app and the background work. */
export interface Services {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  /** The one transaction opener (platform/db), handed to the modules. */
  db: Db;
  redis: Redis | null;
  metrics: Metrics;
  /** Draining before shutdown: readiness 503 and Connection: close (see Lifecycle). */
  lifecycle: Lifecycle;
  accessTokens: AccessTokens;
  auth: AuthService;
  /** Forgotten passwords: the mailed single-use token and the new password set with it. */
  passwordReset: PasswordReset;
  users: UsersService;
  products: ProductsService;
  inventory: InventoryService;
  /** CSV product imports (issue 30): all or nothing, set-based, serialised. */
  productImporter: ProductImporter;
  orders: OrdersService;
  /** Returns (RMA, issue 28): asked for, approved, received (restocked or scrapped), closed. */
  returns: ReturnsService;
  /** Payments' rules; the server runs its refund retry pass. */
  paymentsService: PaymentsService;
  webhooks: WebhooksService;
  /** Outgoing webhooks to integrators (issue 19): admin API, fan-out from the outbox, delivery. */
  outgoingWebhooks: OutgoingWebhooks;
  /** Customer and account mail (issue 26): fan-out from the outbox, SMTP worker, the account mailer auth queues through. */
  email: Email;
  /** The staff's mail log and re-send (issue 26); the mail worker sends what it records. */
  emailMessages: EmailMessagesService;
  setup: FirstAdminSetup;
  /** Purchasing (issue 29): suppliers, purchase orders, goods receipts, proposals from low stock. */
  suppliers: SuppliersService;
  purchasing: PurchasingService;
  payments: ProviderRegistry<PaymentProvider>;
  carriers: ProviderRegistry<Carrier>;
  idempotency: IdempotencyStore;
  checkDatabase: () => Promise<void>;
  checkRedis: (() => Promise<void>) | null;
}

export function createServices(config: Config, logger: Logger, sequelize: Sequelize, redis: Redis | null, options: { bindModels?: boolean } = {}): Services {
  // Every table's model on this instance (the caller may have registered some already).
  if (options.bindModels ?? true) sequelize.addModels(MODELS);
  const db = new Db(sequelize);
  const refreshTokens = new RefreshTokens(db, config.refreshToken);
  const metrics = createMetrics();
  // Mail reads orders and users through these ports (the fan-out's transaction is handed in); they
  // are called once the service runs, after every service below exists.
  const email: Email = new Email(
    db,
    config.mail,
    config.publicUrl,
    {
      orderView: (orderId, tx) => orders.view(orderId, tx),
      wantsOrderEmails: (userId, tx) => users.wantsOrderEmails(userId, tx),
      returnDesk: { warehouse: config.warehouseAddress, returnWindowDays: config.returnWindowDays },
    },
    metrics.email,
    logger,
  );
  const users: UsersService = new UsersService(db, logger, {
    // A password change, a disabled account: every sign-in and every pending reset link of the user ends.
    revokeCredentials: async (userId, tx) => {
      await refreshTokens.revokeAllOf(userId, tx);
      await revokePasswordResets(userId, tx);
    },
    mailer: email.accountMailer,
  });
  const accessTokens = new AccessTokens(config.jwt, db, config.jwt.sessionCacheMs);
  const limiters = createLimiterFactory(redis, config.redisKeyPrefix, logger);
  // A slot's lease outlives the slow-down and a password check; a crashed holder frees it then.
  const loginGate = createConcurrencyGate(
    redis,
    config.redisKeyPrefix,
    'login-in-flight',
    config.login.maxConcurrentPerAccount,
    config.login.slowDownMs + 15_000,
  );
  const throttle = new LoginThrottle(config.login, limiters, loginGate);
  const authLimits = {
    register: new RateLimit({ name: 'register', limit: config.rateLimits.registerPerHour, windowSeconds: 3600 }, limiters),
    refresh: new RateLimit({ name: 'refresh', limit: config.rateLimits.refreshPerMinute, windowSeconds: 60 }, limiters),
  };
  const inventory = new InventoryService(db);
  const idempotency = new IdempotencyStore(db);
  const payments = createPaymentProviders(config, logger);
  const carriers = createCarriers(config, logger);
  // A refund naming a return asks returns for its ceiling (what its received units are worth).
  const paymentsService = new PaymentsService(db, payments, logger, returnRefundCeiling);
  const orders: OrdersService = new OrdersService({
    db,
    inventory,
    payments: paymentsService,
    shipping: new ShippingService(carriers),
    idempotency,
    logger,
    reservationTtlMinutes: config.reservationTtlMinutes,
    customerLimits: config.customerLimits,
    rateLimits: {
      orders: new RateLimit({ name: 'orders', limit: config.rateLimits.ordersPerMinute, windowSeconds: 60 }, limiters),
      payments: new RateLimit({ name: 'payments', limit: config.rateLimits.paymentsPerMinute, windowSeconds: 60 }, limiters),
    },
    findCustomer: (id) => users.findById(id),
    customers: { summaries: (ids, tx) => users.summaries(ids, tx), summarySql: customerSummarySql, idsMatching: (q) => users.customerIdsMatching(q) },
    // Called once the service runs, after `returns` exists (returns import orders, so orders get a port).
    parcelReturned: (tx, parcel) => returns.fromReturnedParcel(tx, parcel),
  });
  // Until payments answer refunds per return (the refunds half of issue 28), none is refunded.
  // What each return has taken: payments' refunds that name it and did not fail (pending included).
  const refundedCentsOfReturns: RefundedCentsOfReturns = (target, returnIds) => paymentsService.refundedCentsOfReturns(target, returnIds);
  const returns: ReturnsService = new ReturnsService({
    db,
    inventory,
    orders,
    idempotency,
    logger,
    returnWindowDays: config.returnWindowDays,
    refundedCents: refundedCentsOfReturns,
  });
  // A product on an order or a purchase order is archived, never deleted.
  const products: ProductsService = new ProductsService(
    db,
    inventory,
    async (tx, productId) => (await orders.isProductOrdered(tx, productId)) || (await purchasing.isProductOnPurchaseOrder(tx, productId)),
  );
  const purchasing: PurchasingService = new PurchasingService(db, idempotency, inventory, products);
  return {
    config,
    logger,
    sequelize,
    db,
    redis,
    metrics,
    lifecycle: new Lifecycle(),
    accessTokens,
    auth: new AuthService(users, accessTokens, refreshTokens, throttle, authLimits, { db, passwordChanges: new PasswordChangeThrottle(limiters) }),
    passwordReset: new PasswordReset({
      db,
      users,
      mailer: email.accountMailer,
      resetUrl: config.mail.passwordResetUrl,
      limit: new RateLimit({ name: 'password-reset', limit: config.mail.passwordResetPer15Minutes, windowSeconds: 15 * 60 }, limiters),
    }),
    users,
    products,
    suppliers: new SuppliersService(db, idempotency),
    purchasing,
    inventory,
    productImporter: new ProductImporter(db, inventory, idempotency, config.imports.maxRows),
    orders,
    returns,
    paymentsService,
    webhooks: new WebhooksService(db, payments, carriers, orders, logger),
    outgoingWebhooks: new OutgoingWebhooks(db, config.webhooks, logger),
    email,
    emailMessages: new EmailMessagesService({ db, idempotency, orders, drafts: email.drafts, onQueued: () => void email.wakeSender() }),
    setup: new FirstAdminSetup(db, users, logger, limiters),
    payments,
    carriers,
    idempotency,
    checkDatabase: () => checkDatabase(sequelize),
    checkRedis: redis
      ? async () => {
          await redis.ping();
        }
      : null,
  };
}

/** Manual is always offered; Stripe once its keys are set (else its requests get a 422 naming them). */
function createPaymentProviders(config: Config, logger: Logger): ProviderRegistry<PaymentProvider> {
  const { secretKey, webhookSecret, apiUrl } = config.stripe;
  const missing = [...(secretKey ? [] : ['STRIPE_SECRET_KEY']), ...(webhookSecret ? [] : ['STRIPE_WEBHOOK_SECRET'])];
  const stripe =
    secretKey && webhookSecret
      ? new StripePaymentProvider(
          { secretKey, webhookSecret, apiUrl, timeoutMs: config.providerCalls.timeoutMs, maxResponseBytes: config.providerCalls.maxResponseBytes },
          new ProviderCaller('stripe', 'Stripe', config.providerCalls, logger),
        )
      : null;
  return new ProviderRegistry<PaymentProvider>('payment provider').offer('manual', new ManualPaymentProvider(), []).offer('stripe', stripe, missing);
}

/** Manual is always offered; EasyPost once its keys and the warehouse address are set. */
function createCarriers(config: Config, logger: Logger): ProviderRegistry<Carrier> {
  const { apiKey, webhookSecret, apiUrl } = config.easypost;
  const warehouse = config.warehouseAddress;
  const missing = [
    ...(apiKey ? [] : ['EASYPOST_API_KEY']),
    ...(webhookSecret ? [] : ['EASYPOST_WEBHOOK_SECRET']),
    ...(warehouse ? [] : ['WAREHOUSE_ADDRESS_*']),
  ];
  const easypost =
    apiKey && webhookSecret && warehouse
      ? new EasyPostCarrier(
          { apiKey, webhookSecret, apiUrl, warehouse, timeoutMs: config.providerCalls.timeoutMs, maxResponseBytes: config.providerCalls.maxResponseBytes },
          new ProviderCaller('easypost', 'EasyPost', config.providerCalls, logger),
        )
      : null;
  return new ProviderRegistry<Carrier>('carrier').offer('manual', new ManualCarrier(config.nodeEnv !== 'production'), []).offer('easypost', easypost, missing);
}
