import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import fc from 'fast-check';
import { ADMIN } from '../support/hooks';
import { startServiceProcess, type FreshService } from '../support/services';
import { EDGE_VALUES, SchemaArbitraries, forgedCursor, type Schema } from '../support/schema-arbitrary';

/**
 * Contract fuzzing (issue 15): for every operation and every role, schema-driven valid and hostile
 * requests (bodies, path and query parameters, headers), and real cursors of every list forged (the
 * scope kept, the values replaced: issue 24). Whatever is sent: no 5xx, only statuses the
 * contract lists for that operation, problem+json on every error, and a refused request changes no
 * stored state. Bounded and repeatable: FUZZ_SEED (printed on failure) and FUZZ_RUNS.
 */
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_261_202);
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 1500);
const TIME_LIMIT_MS = 150_000;
const spec = JSON.parse(readFileSync(path.join(__dirname, '../../generated/openapi.json'), 'utf8')) as Record<string, any>;
const schemas = new SchemaArbitraries(spec);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const ROLES = ['anonymous', 'customer', 'operator', 'admin'] as const;
type Role = (typeof ROLES)[number];

interface Operation {
  id: string;
  method: string;
  path: string;
  parameters: Schema[];
  body: Schema | null;
  /** The body is a CSV file (`text/csv`, a product import), not JSON. */
  csv: boolean;
  statuses: Set<string>;
}

/** Statuses the contract documents on every path (`x-every-path-responses`: 405 for a method a path does not have). */
const everyPath = Object.keys((spec['x-every-path-responses'] as object | undefined) ?? {});

const operations: Operation[] = Object.entries(spec['paths'] as Record<string, Record<string, any>>).flatMap(([route, item]) =>
  METHODS.filter((m) => item[m]).map((method) => {
    const op = item[method] as Record<string, any>;
    const parameters = [...((item['parameters'] as Schema[] | undefined) ?? []), ...((op['parameters'] as Schema[] | undefined) ?? [])].map((p) =>
      schemas.resolve(p),
    );
    const body = (op['requestBody']?.content?.['application/json']?.schema as Schema | undefined) ?? null;
    return {
      id: op['operationId'] as string,
      method: method.toUpperCase(),
      path: route,
      parameters,
      body,
      csv: op['requestBody']?.content?.['text/csv'] !== undefined,
      statuses: new Set([...Object.keys(op['responses'] as object), ...everyPath]),
    };
  }),
);

interface PlannedRequest {
  operation: Operation;
  role: Role;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A real next page of a list, as one role asked for it: the cursor the fuzzer forges. */
interface ListPage {
  operation: Operation;
  role: Exclude<Role, 'anonymous'>;
  /** The path (its parameters filled in) and the query without the cursor. */
  url: string;
  nextCursor: string;
}

/** Anything the fuzzer may need to refer to: ids that exist, so that valid requests reach real rows. */
interface Known {
  tokens: Record<Exclude<Role, 'anonymous'>, string>;
  ids: string[];
  pages: ListPage[];
}

/** A URL cannot carry a lone surrogate; the fuzzer sends U+FFFD in its place. */
function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

function requestFor(operation: Operation, role: Role, known: Known): fc.Arbitrary<PlannedRequest> {
  const pathParams = operation.parameters.filter((p) => p['in'] === 'path');
  const queryParams = operation.parameters.filter((p) => p['in'] === 'query');
  const headerParams = operation.parameters.filter((p) => p['in'] === 'header');
  // URL parts stay under 2 KiB: a request line over Node's 16 KiB header limit is refused (431) by
  // the HTTP parser before the service sees it, which no operation of the contract can answer for.
  const inUrl = (text: string) => text.slice(0, 2048);
  const idValue = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known.ids) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: EDGE_VALUES.map((v) => inUrl(asText(v))) },
  );
  const paramValue = (p: Schema) =>
    fc.oneof(
      { weight: 3, arbitrary: schemas.valid((p['schema'] as Schema) ?? {}).map(asText) },
      { weight: 1, arbitrary: EDGE_VALUES.map((v) => inUrl(asText(v))) },
    );
  // A CSV body: random text, CSV-shaped lines of hostile cells, or a few broken files.
  const csvCell = fc.oneof(
    fc.string({ maxLength: 20 }),
    fc.constantFrom('sku', 'name', 'priceCents', 'price', 'onHand', '=1+1', '"', '1.234,56', '-1', '\u0000', '\ud800'),
  );
  const csvBody = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.array(fc.array(csvCell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }).map((rows) => rows.map((r) => r.join(';')).join('\r\n')),
    fc.constantFrom('', '\uFEFF', 'sku\r\n', 'sku,name,priceCents\r\nFUZZ-1,"open,1\r\n', 'sku;onHand\r\nFUZZ-NONE;99999999999\r\n'),
  );
  const body = operation.csv
    ? csvBody
    : operation.body
      ? fc.oneof(
          { weight: 3, arbitrary: schemas.valid(operation.body).map((v) => JSON.stringify(v)) },
          { weight: 6, arbitrary: schemas.hostile(operation.body).map((v) => JSON.stringify(v) ?? 'null') },
          { weight: 1, arbitrary: fc.constantFrom('{"items": [', '', 'null', '[]', '"text"', '{"a":1}'.repeat(20_000)) },
        )
      : operation.method === 'GET'
        ? fc.constant(undefined)
        : fc.option(fc.constantFrom('{}', '{"x":1}'), { nil: undefined });
  return fc
    .record({
      path: fc.tuple(...pathParams.map(() => idValue)),
      query: fc.tuple(...queryParams.map((p) => fc.option(paramValue(p), { nil: undefined, freq: 2 }))),
      headers: fc.tuple(...headerParams.map((p) => fc.option(paramValue(p), { nil: undefined, freq: 3 }))),
      body,
      contentType: operation.csv
        ? fc.constantFrom('text/csv', 'text/csv', 'text/csv; charset=utf-8', 'application/json', undefined)
        : fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain', 'application/x-www-form-urlencoded', undefined),
      extraQuery: fc.option(fc.constantFrom('unknown=1', 'limit=1000', 'cursor=%00', 'limit=-1&limit=2'), { nil: undefined, freq: 6 }),
    })
    .map((plan) => {
      let route = operation.path;
      pathParams.forEach((p, i) => (route = route.replace(`{${p['name'] as string}}`, encodeURIComponent(wellFormed(plan.path[i] as string)))));
      const search = new URLSearchParams();
      queryParams.forEach((p, i) => {
        const value = plan.query[i];
        if (value !== undefined) search.append(p['name'] as string, value);
      });
      let query = search.toString();
      if (plan.extraQuery) query = query ? `${query}&${plan.extraQuery}` : plan.extraQuery;
      const headers: Record<string, string> = {};
      headerParams.forEach((p, i) => {
        const value = plan.headers[i];
        // Header values must be byte strings: fetch refuses others before sending anything.
        // (and a header over the HTTP parser's 16 KiB limit is refused by Node before the service sees it).
        if (value !== undefined && /^[\x20-\x7e]{0,1024}$/.test(value)) headers[p['name'] as string] = value;
      });
      if (role !== 'anonymous') headers['authorization'] = `Bearer ${known.tokens[role]}`;
      if (plan.body !== undefined && plan.contentType) headers['content-type'] = plan.contentType;
      return { operation, role, url: `${route}${query ? `?${query}` : ''}`, headers, body: plan.body };
    });
}

/**
 * A list request with a forged cursor: a real next page's cursor with its scope kept and its values
 * replaced, sent with the same filters and role. Only the check of each value against its SQL cast
 * stands between it and PostgreSQL.
 */
function forgedCursorRequest(page: ListPage, known: Known): fc.Arbitrary<PlannedRequest> {
  return forgedCursor(page.nextCursor).map((cursor) => ({
    operation: page.operation,
    role: page.role,
    url: `${page.url}${page.url.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`,
    headers: { authorization: `Bearer ${known.tokens[page.role]}` },
    body: undefined,
  }));
}

/**
 * What a refused request must leave untouched (events, idempotency claims and setup codes aside; of
 * the mail log only the re-sends, which a request records itself: the fan-out adds mails after commits).
 */
const FINGERPRINT_SQL = `SELECT concat_ws('|',
  (SELECT count(*) || ':' || count(*) FILTER (WHERE disabled) || ':' || coalesce(sum(token_version), 0) || ':' || string_agg(role, ',' ORDER BY id) FROM users),
  (SELECT count(*) || ':' || coalesce(sum(on_hand), 0) || ':' || coalesce(sum(reserved), 0) || ':' || coalesce(sum(version), 0) FROM products),
  (SELECT count(*) || ':' || coalesce(string_agg(status, ',' ORDER BY id), '') FROM orders),
  (SELECT count(*) FROM stock_movements), (SELECT count(*) FROM payments),
  (SELECT count(*) || ':' || coalesce(string_agg(status, ',' ORDER BY id), '') FROM shipments), (SELECT count(*) FROM shipment_lines),
  (SELECT coalesce(sum(shipped_quantity), 0) || ':' || coalesce(sum(cancelled_quantity), 0) || ':' || coalesce(sum(returned_quantity), 0) || ':' || coalesce(sum(return_held_quantity), 0) FROM order_items),
  (SELECT count(*) || ':' || coalesce(string_agg(status, ',' ORDER BY id), '') FROM returns),
  (SELECT coalesce(sum(received_quantity), 0) || ':' || coalesce(sum(restocked_quantity), 0) FROM return_lines),
  (SELECT count(*) || ':' || coalesce(sum(amount_cents), 0) FROM refunds), (SELECT coalesce(sum(refunded_cents), 0) FROM payments),
  (SELECT count(*) FROM order_status_history), (SELECT count(*) || ':' || count(revoked_at) FROM refresh_tokens),
  (SELECT count(*) FROM provider_events),
  (SELECT count(*) || ':' || count(*) FILTER (WHERE archived) FROM suppliers), (SELECT coalesce(sum(incoming), 0) FROM products),
  (SELECT count(*) || ':' || coalesce(string_agg(status || version, ',' ORDER BY id), '') FROM purchase_orders),
  (SELECT count(*) || ':' || coalesce(sum(quantity), 0) || ':' || coalesce(sum(received_quantity), 0) FROM purchase_order_lines),
  (SELECT count(*) FROM purchase_receipts),
  (SELECT count(*) FROM email_messages WHERE resend_of IS NOT NULL)) AS fingerprint`;

describe('contract fuzzing: every operation, every role, valid and hostile input', function () {
  this.timeout(TIME_LIMIT_MS + 120_000);
  let fresh: FreshService;
  let known: Known;

  async function call(method: string, route: string, token: string | undefined, body?: unknown): Promise<any> {
    const res = await fetch(`${fresh.baseUrl}${route}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = (await res.json()) as unknown;
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${JSON.stringify(parsed)}`);
    return parsed;
  }

  before(async function () {
    this.timeout(120_000);
    fresh = await startServiceProcess({
      env: {
        LOGIN_MAX_FAILURES: '1000',
        LOGIN_MAX_FAILURES_PER_IP: '100000',
        RATE_LIMIT_REGISTER_PER_HOUR: '0',
        RATE_LIMIT_REFRESH_PER_MINUTE: '0',
        RATE_LIMIT_ORDERS_PER_MINUTE: '0',
        RATE_LIMIT_PAYMENTS_PER_MINUTE: '0',
      },
    });
    const admin = (await call('POST', '/api/v1/auth/login', undefined, ADMIN)).accessToken as string;
    const password = `fuzz-password-${randomUUID()}`;
    const tokens: Partial<Known['tokens']> = { admin };
    const ids: string[] = [];
    for (const role of ['operator', 'customer'] as const) {
      const email = `${role}-${randomUUID()}@fuzz.test`;
      const user = await call('POST', '/api/v1/users', admin, { email, password, name: `Fuzz ${role}`, role });
      ids.push(user.id as string);
      tokens[role] = (await call('POST', '/api/v1/auth/login', undefined, { email, password })).accessToken as string;
    }
    for (let i = 0; i < 3; i += 1) {
      const product = await call('POST', '/api/v1/products', admin, {
        sku: `FZ-${i}-${randomUUID().slice(0, 8)}`,
        name: `Evidenziatore ${i}`,
        unitPriceCents: 129,
        initialStock: 1000,
      });
      ids.push(product.id as string);
    }
    const address = { name: 'Cartoleria Fuzz', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', province: 'MI', country: 'IT' };
    for (let i = 0; i < 2; i += 1) {
      const order = await call('POST', '/api/v1/orders', tokens.customer, { items: [{ productId: ids[2], quantity: 1 }], shippingAddress: address });
      ids.push(order.id as string);
    }
    // Every list must have a second page: two movements, two subscriptions, two deliveries (stored
    // as delivered, of disabled subscriptions, so that no worker acts on them).
    await call('POST', `/api/v1/products/${ids[2]}/stock-movements`, admin, { type: 'receipt', delta: 5, reason: 'fuzz' });
    const subscriptions = await fresh.db.query<{ id: string }>(
      `INSERT INTO webhook_subscriptions (url, event_types, enabled, secret_ciphertext)
       VALUES ('https://erp.example.com/hooks', '["order.created"]', false, 'x'), ('https://crm.example.com/hooks', '["order.created"]', false, 'x') RETURNING id`,
    );
    const subscriptionId = subscriptions.rows[0]!.id;
    for (let i = 0; i < 2; i += 1) {
      await fresh.db.query(
        `INSERT INTO webhook_deliveries (subscription_id, message_id, event_type, body, status) VALUES ($1, $2, 'webhook.test', '{}', 'succeeded')`,
        [subscriptionId, `msg_${randomUUID()}`],
      );
    }
    // Two failed mails of the first order (the mail log's lists need a second page, re-sends a real mail).
    const mails = await fresh.db.query<{ id: string }>(
      `INSERT INTO email_messages (template, order_id, recipient, subject, html, text, message_id, status, attempts, last_reply)
       SELECT t, $1, 'cliente@fuzz.test', 'Ordine confermato', '<p>Ordine</p>', 'Ordine', '<' || gen_random_uuid() || '@fuzz.test>', 'failed', 1, '550 5.1.1 rejected'
         FROM unnest(ARRAY['order_confirmed', 'password_reset']) AS t RETURNING id`,
      [ids[5]],
    );
    ids.push(...mails.rows.map((m) => m.id));
    // A partly shipped order (1 of 2 units shipped) with its shipment: what cancelShipment and
    // cancelRemaining act on, and a second shipment that the fuzzer may cancel or ship again.
    const partly = await call('POST', '/api/v1/orders', admin, { customerId: ids[1], items: [{ productId: ids[3], quantity: 2 }], shippingAddress: address });
    await call('POST', `/api/v1/orders/${partly.id as string}/payments`, admin, { provider: 'manual', reference: 'fuzz' });
    await call('POST', `/api/v1/orders/${partly.id as string}/status`, admin, { status: 'in_preparation' });
    const shipment = await call('POST', `/api/v1/orders/${partly.id as string}/shipments`, admin, {
      carrier: 'manual',
      carrierName: 'BRT',
      trackingCode: 'FUZZ-1',
      lines: [{ productId: ids[3], quantity: 1 }],
    });
    ids.push(partly.id as string, shipment.id as string);
    // A delivered order with two returns of its customer (the returns list needs a second page; the steps act on them).
    const delivered = await call('POST', '/api/v1/orders', admin, {
      customerId: ids[1],
      items: [{ productId: ids[4], quantity: 2 }],
      shippingAddress: address,
    });
    await call('POST', `/api/v1/orders/${delivered.id as string}/payments`, admin, { provider: 'manual', reference: 'fuzz' });
    await call('POST', `/api/v1/orders/${delivered.id as string}/status`, admin, { status: 'in_preparation' });
    await call('POST', `/api/v1/orders/${delivered.id as string}/shipments`, admin, { carrier: 'manual', carrierName: 'BRT', trackingCode: 'FUZZ-2' });
    await call('POST', `/api/v1/orders/${delivered.id as string}/status`, admin, { status: 'delivered' });
    for (let i = 0; i < 2; i += 1) {
      const made = await call('POST', `/api/v1/orders/${delivered.id as string}/returns`, tokens.customer, {
        lines: [{ productId: ids[4], quantity: 1, reason: 'damaged' }],
      });
      ids.push(made.id as string);
    }
    // Two suppliers and two purchase orders (one sent, to receive): the purchasing lists need a second page.
    for (let i = 0; i < 2; i += 1) {
      const supplier = await call('POST', '/api/v1/suppliers', admin, { name: `Fornitore fuzz ${i}`, vatNumber: 'IT01234567897' });
      const po = await call('POST', '/api/v1/purchase-orders', admin, {
        supplierId: supplier.id,
        lines: [{ productId: ids[4], quantity: 5, unitCostCents: 99 }],
      });
      if (i === 0) await call('POST', `/api/v1/purchase-orders/${po.id as string}/send`, admin);
      ids.push(supplier.id as string, po.id as string);
    }
    known = { tokens: tokens as Known['tokens'], ids, pages: await firstPages(tokens as Known['tokens'], [...ids, subscriptionId]) };
    expect(new Set(known.pages.map((p) => p.operation.id)), 'a next page of every list with a cursor').to.have.property(
      'size',
      operations.filter(hasCursor).length,
    );
  });

  const hasCursor = (operation: Operation) => operation.parameters.some((p) => p['in'] === 'query' && p['name'] === 'cursor');

  /** The first page (limit 1) of every list, for each role that may read it, each sort, and a search: the real cursors to forge. */
  async function firstPages(tokens: Known['tokens'], ids: string[]): Promise<ListPage[]> {
    const pages: ListPage[] = [];
    for (const operation of operations.filter(hasCursor)) {
      const sort = operation.parameters.find((p) => p['in'] === 'query' && p['name'] === 'sort');
      const sorts = (schemas.resolve((sort?.['schema'] as Schema | undefined) ?? {})['enum'] as string[] | undefined) ?? [];
      const queries: Record<string, string>[] = [{}, ...sorts.map((s) => ({ sort: s })), ...(operation.id === 'listProducts' ? [{ q: 'Evidenziatore' }] : [])];
      const routes = operation.path.includes('{id}') ? ids.map((id) => operation.path.replace('{id}', id)) : [operation.path];
      for (const role of ['customer', 'operator', 'admin'] as const) {
        for (const route of routes) {
          for (const query of queries) {
            const url = `${route}?${new URLSearchParams({ ...query, limit: '1' }).toString()}`;
            const res = await fetch(`${fresh.baseUrl}${url}`, { headers: { authorization: `Bearer ${tokens[role]}` } });
            const body = (await res.json()) as { nextCursor?: string | null };
            if (res.status === 200 && typeof body.nextCursor === 'string') pages.push({ operation, role, url, nextCursor: body.nextCursor });
          }
        }
      }
    }
    return pages;
  }

  after(async () => {
    await fresh?.stop();
  });

  it('answers every request with a documented status, problem+json on errors, and changes nothing when it refuses', async () => {
    const plans = fc.oneof(
      {
        weight: 9,
        arbitrary: fc.constantFrom(...operations).chain((operation) => fc.constantFrom(...ROLES).chain((role) => requestFor(operation, role, known))),
      },
      { weight: 2, arbitrary: fc.constantFrom(...known.pages).chain((page) => forgedCursorRequest(page, known)) },
    );
    const seen = new Map<string, number>();
    // Every distinct failure (operation, status, kind) is collected, so one run shows them all.
    const failures = new Map<string, string>();
    const check = (condition: boolean, kind: string, plan: PlannedRequest, status: number, detail: string) => {
      const key = `${plan.operation.id} ${status} ${kind}`;
      if (!condition && !failures.has(key)) failures.set(key, detail);
    };
    await fc.assert(
      fc.asyncProperty(plans, async (plan) => {
        const before = (await fresh.db.query<{ fingerprint: string }>(FINGERPRINT_SQL)).rows[0]?.fingerprint;
        let res: Response;
        let text: string;
        try {
          res = await fetch(`${fresh.baseUrl}${plan.url}`, {
            method: plan.operation.method,
            headers: plan.headers,
            body: plan.body,
            signal: AbortSignal.timeout(10_000),
          });
          text = await res.text();
        } catch (err) {
          check(
            false,
            `no answer (${(err as Error).name})`,
            plan,
            0,
            `as ${plan.role}: ${plan.operation.method} ${plan.url} ${JSON.stringify(plan.headers)} body=${(plan.body ?? '').slice(0, 200)}`,
          );
          return;
        }
        const where = `as ${plan.role}: ${plan.operation.method} ${plan.url} ${JSON.stringify(plan.headers)} body=${(plan.body ?? '').slice(0, 200)} -> ${text.slice(0, 300)}`;
        const status = res.status;
        seen.set(`${plan.operation.id} ${status}`, 1);
        const statuses = plan.operation.statuses;
        check(status < 500, '5xx', plan, status, where);
        check(statuses.has(String(status)) || statuses.has(`${String(status)[0]}XX`) || statuses.has('default'), 'undocumented status', plan, status, where);
        if (status >= 400) {
          check((res.headers.get('content-type') ?? '').includes('application/problem+json'), 'not problem+json', plan, status, where);
          let problem: Record<string, unknown> = {};
          try {
            problem = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // reported just below
          }
          check(
            problem['status'] === status && typeof problem['type'] === 'string' && typeof problem['title'] === 'string',
            'bad problem body',
            plan,
            status,
            where,
          );
          const after = (await fresh.db.query<{ fingerprint: string }>(FINGERPRINT_SQL)).rows[0]?.fingerprint;
          check(after === before, 'state changed by a refused request', plan, status, `${where}\n  before ${before}\n  after  ${after}`);
        }
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false },
    );
    const report = [...failures].map(([key, detail]) => `- ${key}\n    ${detail}`).join('\n');
    expect(failures.size, `contract fuzzing (FUZZ_SEED=${SEED}, FUZZ_RUNS=${RUNS}) found:\n${report}`).to.equal(0);
    // Every operation was tried: the generator did not collapse onto a few.
    const tried = new Set([...seen.keys()].map((k) => k.split(' ')[0]));
    expect([...tried].sort()).to.deep.equal(operations.map((o) => o.id).sort());
  });
});
