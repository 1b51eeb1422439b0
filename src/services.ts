import type { Sequelize } from 'sequelize-typescript';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './platform/config';
import { checkDatabase } from './platform/db/database';
import { createMetrics, type Metrics } from './platform/http/metrics';
import { IdempotencyStore } from './platform/idempotency';
import { AccessTokens, AuthService, LoginThrottle, RefreshTokens } from './auth';
import { UsersService } from './users';
import { ProductsService } from './products';
import { InventoryService } from './inventory';
import { OrdersService } from './orders';

/** The composition root: every service, wired once, handed to the app and the background work. */
export interface Services {
  config: Config;
  logger: Logger;
  sequelize: Sequelize;
  redis: Redis | null;
  metrics: Metrics;
  accessTokens: AccessTokens;
  auth: AuthService;
  users: UsersService;
  products: ProductsService;
  inventory: InventoryService;
  orders: OrdersService;
  idempotency: IdempotencyStore;
  checkDatabase: () => Promise<void>;
  checkRedis: (() => Promise<void>) | null;
}

export function createServices(config: Config, logger: Logger, sequelize: Sequelize, redis: Redis | null): Services {
  const users = new UsersService(sequelize, logger);
  const accessTokens = new AccessTokens(config.jwt, sequelize);
  const refreshTokens = new RefreshTokens(sequelize, config.refreshToken);
  const throttle = new LoginThrottle(config.login, redis, config.redisKeyPrefix);
  const inventory = new InventoryService(sequelize);
  const idempotency = new IdempotencyStore(sequelize);
  return {
    config,
    logger,
    sequelize,
    redis,
    metrics: createMetrics(),
    accessTokens,
    auth: new AuthService(users, accessTokens, refreshTokens, throttle),
    users,
    products: new ProductsService(sequelize, inventory),
    inventory,
    orders: new OrdersService(sequelize, inventory, idempotency, logger, config.reservationTtlMinutes),
    idempotency,
    checkDatabase: () => checkDatabase(sequelize),
    checkRedis: redis
      ? async () => {
          await redis.ping();
        }
      : null,
  };
}
