import { Router } from 'express';
import type { Registry } from 'prom-client';
import { metricsGuard, type MetricsAccess } from './metrics-access';

export type ReadinessCheck = () => Promise<void>;

/** Liveness says the process answers; readiness says each dependency answers (503 naming the one down). */
export function createHealthRouter(checks: Record<string, ReadinessCheck>, registry: Registry, metricsAccess: MetricsAccess): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', async (_req, res) => {
    const results: Record<string, 'ok' | 'down'> = {};
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 2_000);
          results[name] = 'ok';
        } catch {
          results[name] = 'down';
        }
      }),
    );
    const ready = Object.values(results).every((r) => r === 'ok');
    res.setHeader('Cache-Control', 'no-store');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ok' : 'unavailable', checks: results });
  });
  router.get('/metrics', metricsGuard(metricsAccess), async (_req, res) => {
    res.type('text/plain').send(await registry.metrics());
  });
  return router;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
