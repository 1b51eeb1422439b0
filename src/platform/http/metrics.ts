import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestHandler } from 'express';

/** Prometheus metrics: process defaults plus request counts and latencies by route template. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'quickstock_' });
  const httpDuration = new Histogram({
    name: 'quickstock_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const socketsConnected = new Gauge({
    name: 'quickstock_sockets_connected',
    help: 'Socket.IO clients connected to this instance',
    registers: [registry],
  });
  const eventsDispatched = new Counter({
    name: 'quickstock_events_dispatched_total',
    help: 'Outbox events emitted to Socket.IO by this instance, by type',
    labelNames: ['type'],
    registers: [registry],
  });
  const eventDispatchLag = new Histogram({
    name: 'quickstock_event_dispatch_lag_seconds',
    help: 'Time from an event being recorded to its emission',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
    registers: [registry],
  });
  const emailsTotal = new Counter({
    name: 'quickstock_emails_total',
    help: 'Mails by template and outcome: sent, failed (given up), retried (a temporary failure, tried again later), skipped (no SMTP_URL, or opted out)',
    labelNames: ['template', 'outcome'],
    registers: [registry],
  });
  // Measured at each scrape by the email module (one indexed statement), as the queue is shared by every instance.
  let emailQueueAge: () => Promise<number> = async () => 0;
  new Gauge({
    name: 'quickstock_email_queue_oldest_seconds',
    help: 'Age of the oldest mail not yet sent nor given up (due, or waiting for a retry), in seconds; 0 when there is none',
    registers: [registry],
    async collect() {
      this.set(await emailQueueAge().catch(() => Number.NaN));
    },
  });
  const email = {
    count: (template: string, outcome: string) => emailsTotal.inc({ template, outcome }),
    measureQueueAge: (measure: () => Promise<number>) => {
      emailQueueAge = measure;
    },
  };
  const middleware: RequestHandler = (req, res, next) => {
    const end = httpDuration.startTimer();
    res.on('finish', () => {
      const route = (req as { openapi?: { openApiRoute?: string } }).openapi?.openApiRoute ?? 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };
  return { registry, middleware, socketsConnected, eventsDispatched, eventDispatchLag, email };
}

export type Metrics = ReturnType<typeof createMetrics>;
