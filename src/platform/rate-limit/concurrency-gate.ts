import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Releases a slot taken by `ConcurrencyGate.tryEnter`. */
export type ReleaseSlot = () => Promise<void>;

/**
 * At most `slots` holders of one key at once: `tryEnter` takes a free slot or answers null at once
 * (it never queues). With Redis the slots are keys `SET NX PX` with a lease, so every instance
 * counts the same holders and a crashed holder frees its slot when the lease ends; while Redis is
 * unreachable the gate falls back to this instance's memory (then the bound is per instance).
 */
export interface ConcurrencyGate {
  tryEnter(key: string): Promise<ReleaseSlot | null>;
}

export function createConcurrencyGate(redis: Redis | null, redisKeyPrefix: string, name: string, slots: number, leaseMs: number): ConcurrencyGate {
  const memory = new MemoryGate(slots);
  return redis ? new RedisGate(redis, `${redisKeyPrefix}:${name}`, slots, leaseMs, memory) : memory;
}

class MemoryGate implements ConcurrencyGate {
  private readonly held = new Map<string, number>();

  constructor(private readonly slots: number) {}

  tryEnter(key: string): Promise<ReleaseSlot | null> {
    const count = this.held.get(key) ?? 0;
    if (count >= this.slots) return Promise.resolve(null);
    this.held.set(key, count + 1);
    let released = false;
    return Promise.resolve(async () => {
      if (released) return;
      released = true;
      const left = (this.held.get(key) ?? 1) - 1;
      if (left <= 0) this.held.delete(key);
      else this.held.set(key, left);
    });
  }
}

/** Deletes a slot only while it still holds this holder's token (a lease that ran out may be someone else's). */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

class RedisGate implements ConcurrencyGate {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly slots: number,
    private readonly leaseMs: number,
    private readonly fallback: MemoryGate,
  ) {}

  async tryEnter(key: string): Promise<ReleaseSlot | null> {
    const token = randomUUID();
    try {
      for (let slot = 0; slot < this.slots; slot += 1) {
        const slotKey = `${this.prefix}:${key}:${slot}`;
        if ((await this.redis.set(slotKey, token, 'PX', this.leaseMs, 'NX')) !== 'OK') continue;
        return async () => {
          await this.redis.eval(RELEASE, 1, slotKey, token).catch(() => undefined); // the lease frees it otherwise
        };
      }
      return null;
    } catch {
      return this.fallback.tryEnter(key);
    }
  }
}
