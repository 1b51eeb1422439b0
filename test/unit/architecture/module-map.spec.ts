import { expect } from 'chai';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The module map of docs/architecture.md, checked: each table has one owning module, no module's SQL
 * or model names another module's table, and a module reaches another only through its index.ts.
 */
const ROOT = path.resolve(__dirname, '../../..');

/** Module → its folders under src/. */
const MODULES: Record<string, string[]> = {
  auth: ['src/auth'],
  users: ['src/users'],
  products: ['src/products'],
  inventory: ['src/inventory'],
  orders: ['src/orders'],
  payments: ['src/payments'],
  shipping: ['src/shipping'],
  webhooks: ['src/webhooks'],
  // The outbox's write side: every module records events through it.
  outbox: ['src/platform/events'],
  realtime: ['src/realtime'],
  idempotency: ['src/platform/idempotency'],
  housekeeping: ['src/housekeeping'],
  console: ['src/console'],
  setup: ['src/setup'],
  'outgoing-webhooks': ['src/outgoing-webhooks'],
};

/** Table → the module that owns it. A new table needs a line here (and in docs/architecture.md). */
const OWNER: Record<string, string> = {
  users: 'users',
  refresh_tokens: 'auth',
  products: 'products',
  product_search_words: 'products',
  stock_movements: 'inventory',
  stock_change_marks: 'inventory',
  stock_change_pass: 'inventory',
  orders: 'orders',
  order_items: 'orders',
  order_status_history: 'orders',
  payments: 'payments',
  refunds: 'payments',
  shipments: 'shipping',
  provider_events: 'webhooks',
  events: 'outbox',
  event_dispatcher: 'realtime',
  idempotency_keys: 'idempotency',
  setup_codes: 'setup',
  webhook_subscriptions: 'outgoing-webhooks',
  webhook_deliveries: 'outgoing-webhooks',
  webhook_delivery_attempts: 'outgoing-webhooks',
  webhook_fanout_cursor: 'outgoing-webhooks',
};

/** A second module that may name a table, and why (keep this list short). */
const CO_OWNERS: Record<string, { module: string; why: string }[]> = {
  products: [{ module: 'inventory', why: 'on_hand and reserved live on the product row: placement locks one row per product (inventory writes only those)' }],
  events: [
    { module: 'realtime', why: 'the dispatcher drains the outbox and the feed replays it' },
    { module: 'outgoing-webhooks', why: 'the webhook fan-out is a second cursor over the outbox (reads only)' },
  ],
};

/** Files that still name another module's table, each with its reason; remove entries, never add lightly. */
const KNOWN_EXCEPTIONS: { file: string; tables: string[]; why: string }[] = [];

function filesUnder(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  return readdirSync(abs).flatMap((name) => {
    const full = path.join(abs, name);
    const rel = path.join(dir, name);
    if (statSync(full).isDirectory()) return filesUnder(rel);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [rel] : [];
  });
}

function moduleOf(file: string): string | undefined {
  const hits = Object.entries(MODULES).flatMap(([name, dirs]) => dirs.filter((d) => file.startsWith(`${d}/`)).map((d) => ({ name, d })));
  return hits.sort((a, b) => b.d.length - a.d.length)[0]?.name;
}

/** Tables a file's SQL (upper-case keywords) or models name. */
function tablesNamed(source: string): Set<string> {
  const named = new Set<string>();
  const patterns = [/\b(?:FROM|JOIN|INTO|UPDATE|TABLE|EXISTS)\s+([a-z_][a-z0-9_]*)/g, /tableName:\s*'([a-z_]+)'/g, /['`]([a-z]+_[a-z_]+)['`]/g];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) if (m[1] && m[1] in OWNER) named.add(m[1]);
  return named;
}

const sourceFiles = Object.values(MODULES).flat().flatMap(filesUnder);

describe('module map (architecture)', () => {
  it('gives every table created by a migration exactly one owner', () => {
    const created = filesUnder('src/platform/db/migrations').flatMap((f) =>
      [...readFileSync(path.join(ROOT, f), 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+)/g)].map((m) => m[1] as string),
    );
    const unowned = created.filter((t) => !(t in OWNER));
    expect(unowned, 'add each table to OWNER in this file and to docs/architecture.md').to.deep.equal([]);
  });

  it('lets no module name a table of another module in its SQL or models', () => {
    const violations: string[] = [];
    for (const file of sourceFiles) {
      const mod = moduleOf(file) as string;
      const exception = KNOWN_EXCEPTIONS.find((e) => e.file === file);
      for (const table of tablesNamed(readFileSync(path.join(ROOT, file), 'utf8'))) {
        const owner = OWNER[table];
        if (owner === mod || CO_OWNERS[table]?.some((c) => c.module === mod) || exception?.tables.includes(table)) continue;
        violations.push(`${file} (${mod}) names ${table}, owned by ${owner}`);
      }
    }
    expect(violations).to.deep.equal([]);
  });

  it('lets a module import another only through its index.ts', () => {
    const violations: string[] = [];
    const folders = Object.entries(MODULES).flatMap(([name, dirs]) => dirs.map((d) => ({ name, d })));
    for (const file of sourceFiles) {
      const mod = moduleOf(file);
      const source = readFileSync(path.join(ROOT, file), 'utf8');
      for (const m of source.matchAll(/from '(\.[^']+)'/g)) {
        const target = path.join(path.dirname(file), m[1] as string);
        const other = folders.find((f) => target === f.d || target.startsWith(`${f.d}/`));
        if (!other || other.name === mod) continue;
        if (target !== other.d && target !== `${other.d}/index`) violations.push(`${file} imports ${m[1]} (inside ${other.name})`);
      }
      if (/from '\.\.\/(?:\.\.\/)*(app|services|server|main)'/.test(source)) violations.push(`${file} imports the composition root`);
    }
    expect(violations).to.deep.equal([]);
  });

  it('keeps the module graph free of cycles', () => {
    const edges = new Map<string, Set<string>>();
    const folders = Object.entries(MODULES).flatMap(([name, dirs]) => dirs.map((d) => ({ name, d })));
    for (const file of sourceFiles) {
      const mod = moduleOf(file) as string;
      for (const m of readFileSync(path.join(ROOT, file), 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = path.join(path.dirname(file), m[1] as string);
        const other = folders.find((f) => target === f.d || target.startsWith(`${f.d}/`));
        if (other && other.name !== mod) edges.set(mod, (edges.get(mod) ?? new Set()).add(other.name));
      }
    }
    const cycles = new Set<string>();
    const done = new Set<string>();
    const visit = (node: string, trail: string[]): void => {
      if (trail.includes(node)) {
        cycles.add([...trail.slice(trail.indexOf(node)), node].join(' → '));
        return;
      }
      if (done.has(node)) return;
      for (const next of edges.get(node) ?? []) visit(next, [...trail, node]);
      done.add(node);
    };
    for (const mod of edges.keys()) visit(mod, []);
    expect([...cycles]).to.deep.equal([]);
  });
});
