import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Makes a counter of `points` per `durationSeconds` window under a name unique in the service. */
export type LimiterFactory = (name: string, points: number, durationSeconds: number) => RateLimiterAbstract;

/**
 * Counters live in Redis when it is configured, so every instance sees the same counts; each has an
 * in-memory twin that takes over while Redis is unreachable (the service's Redis client fails
 * commands at once instead of queueing them), so requests never wait on a dead Redis. The limits
 * are then per instance: logged once per outage.
 */
export function createLimiterFactory(redis: Redis | null, redisKeyPrefix: string, logger: Logger): LimiterFactory {
  if (!redis) return (name, points, duration) => new RateLimiterMemory({ keyPrefix: name, points, duration });
  let warned = false;
  redis.on('ready', () => {
    warned = false;
  });
  redis.on('close', () => {
    if (warned) return;
    warned = true;
    logger.warn("Redis is unreachable: rate limits and sign-in throttles count in this instance's memory until it is back");
  });
  return (name, points, duration) =>
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${redisKeyPrefix}:${name}`,
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: name, points, duration }),
    });
}
