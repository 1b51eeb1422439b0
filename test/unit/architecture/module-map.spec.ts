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
  returns: ['src/returns'],
  webhooks: ['src/webhooks'],
  // The outbox's write side: every module records events through it.
  outbox: ['src/platform/events'],
  realtime: ['src/realtime'],
  idempotency: ['src/platform/idempotency'],
  housekeeping: ['src/housekeeping'],
  console: ['src/console'],
  setup: ['src/setup'],
  'outgoing-webhooks': ['src/outgoing-webhooks'],
  email: ['src/email'],
  purchasing: ['src/purchasing'],
  // CSV import and export (issue 30): drives products, inventory and orders through their index.ts.
  'catalog-io': ['src/catalog-io'],
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
  shipment_lines: 'shipping',
  returns: 'returns',
  return_lines: 'returns',
  provider_events: 'webhooks',
  events: 'outbox',
  event_dispatcher: 'realtime',
  idempotency_keys: 'idempotency',
  setup_codes: 'setup',
  webhook_subscriptions: 'outgoing-webhooks',
  webhook_deliveries: 'outgoing-webhooks',
  webhook_delivery_attempts: 'outgoing-webhooks',
  webhook_fanout_cursor: 'outgoing-webhooks',
  email_messages: 'email',
  email_fanout_cursor: 'email',
  password_reset_tokens: 'auth',
  suppliers: 'purchasing',
  purchase_orders: 'purchasing',
  purchase_order_lines: 'purchasing',
  purchase_receipts: 'purchasing',
  purchase_receipt_lines: 'purchasing',
};

/** A second module that may name a table, and why (keep this list short). */
const CO_OWNERS: Record<string, { module: string; why: string }[]> = {
  products: [
    { module: 'inventory', why: 'on_hand, reserved and incoming live on the product row: placement locks one row per product (inventory writes only those)' },
  ],
  events: [
    { module: 'realtime', why: 'the dispatcher drains the outbox and the feed replays it' },
    { module: 'outgoing-webhooks', why: 'the webhook fan-out is a second cursor over the outbox (reads only)' },
    { module: 'email', why: 'the mail fan-out is a third cursor over the outbox (reads only)' },
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

/*
 * The persistence convention (issue 25, docs/architecture.md): transactions open only through
 * platform/db's `Db`, no `sequelize.query`, model calls only in repositories, records camelCase.
 * Each rule is a pure check of one file's source, so the spec below can plant a violation of each.
 */

/** Where Sequelize itself may be named: the database plumbing, its patches and the composition root. */
const SEQUELIZE_ALLOWED = [/^src\/platform\/db\//, /^src\/platform\/patches\//, /^src\/(server|services|models|cli|main)\.ts$/];
const MODEL_METHODS =
  'findAll|findOne|findByPk|findOrCreate|findAndCountAll|create|bulkCreate|update|destroy|count|upsert|increment|decrement|max|min|sum|restore|save|reload';

export const persistenceRules: Record<string, (file: string, source: string) => string[]> = {
  'opens transactions only through Db.transaction': (file, source) => {
    if (SEQUELIZE_ALLOWED.some((r) => r.test(file))) return [];
    const found = [...source.matchAll(/(\w+)\s*\.\s*transaction\s*\(/g)].filter((m) => m[1] !== 'db').map((m) => `${file}: ${m[0]}`);
    if (/import\s*{[^}]*\btransaction\b[^}]*}\s*from\s*'[^']*db\/sql'/.test(source)) found.push(`${file}: imports transaction() from platform/db/sql`);
    return found;
  },
  'runs no sequelize.query outside platform/db': (file, source) =>
    SEQUELIZE_ALLOWED.some((r) => r.test(file)) ? [] : [...source.matchAll(/\bsequelize\s*\.\s*query\s*\(/gi)].map((m) => `${file}: ${m[0]}`),
  'hands no Sequelize to modules': (file, source) =>
    SEQUELIZE_ALLOWED.some((r) => r.test(file)) ||
    !/from 'sequelize-typescript'/.test(source) ||
    !/\bSequelize\b/.test(source.replace(/import[^;]*;/g, (i) => (/sequelize-typescript/.test(i) ? i : '')))
      ? []
      : [`${file}: imports Sequelize (take a Db)`],
  'calls models only in repositories': (file, source) =>
    /\.repository\.ts$/.test(file) || /\.model\.ts$/.test(file) || SEQUELIZE_ALLOWED.some((r) => r.test(file))
      ? []
      : [...source.matchAll(new RegExp(`\\b[A-Z]\\w*Model\\s*\\.\\s*(?:${MODEL_METHODS})\\s*\\(`, 'g'))].map((m) => `${file}: ${m[0]}`),
  'exports no snake_case or …Row type from a repository': (file, source) => {
    if (!/\.repository\.ts$/.test(file)) return [];
    const found: string[] = [];
    for (const m of source.matchAll(/export\s+(?:interface|type)\s+(\w+)[^{=]*[{=]/g)) {
      const name = m[1] as string;
      if (/Row$/.test(name)) found.push(`${file}: exports ${name} (name records …Record)`);
      // The exported declaration's body: up to the first line that closes it at the start.
      const body = source.slice((m.index ?? 0) + m[0].length).split(/\n[}]|\n\S/)[0] ?? '';
      const snake = body.match(/^\s+([a-z]+_[a-z0-9_]+)\??:/m);
      if (snake) found.push(`${file}: ${name}.${snake[1]} is snake_case (keep rows private to the repository)`);
    }
    return found;
  },
};

const sourceFiles = Object.values(MODULES).flat().flatMap(filesUnder);
/** Every TypeScript file of the service but the migrations (which are platform/db's own SQL). */
const serviceFiles = filesUnder('src').filter((f) => !f.startsWith('src/console/web/') && !f.startsWith('src/platform/db/migrations/'));

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
  describe('persistence convention', () => {
    for (const [rule, check] of Object.entries(persistenceRules)) {
      it(`${rule}, everywhere in src/`, () => {
        const violations = serviceFiles.flatMap((file) => check(file, readFileSync(path.join(ROOT, file), 'utf8')));
        expect(violations).to.deep.equal([]);
      });
    }

    // A rule that cannot fail keeps nothing: each one catches a planted violation and passes its fix.
    const planted: Record<string, { file: string; bad: string; good: string }> = {
      'opens transactions only through Db.transaction': {
        file: 'src/orders/some-use-case.ts',
        bad: 'await ctx.sequelize.transaction(async (tx) => work(tx));',
        good: 'await ctx.db.transaction(async (tx) => work(tx));',
      },
      'runs no sequelize.query outside platform/db': {
        file: 'src/auth/some-file.ts',
        bad: "await this.sequelize.query('SELECT 1', { replacements: {} });",
        good: "await sql(this.db, 'SELECT 1');",
      },
      'hands no Sequelize to modules': {
        file: 'src/inventory/some.service.ts',
        bad: "import type { Sequelize } from 'sequelize-typescript';\nexport class S { constructor(private readonly sequelize: Sequelize) {} }",
        good: "import type { Db } from '../platform/db/db';\nexport class S { constructor(private readonly db: Db) {} }",
      },
      'calls models only in repositories': {
        file: 'src/setup/first-admin-setup.ts',
        bad: 'await SetupCodeModel.update({ usedAt: new Date() }, { where: {} });',
        good: 'await setupCodes.spend(tx, hash);',
      },
      'exports no snake_case or …Row type from a repository': {
        file: 'src/orders/order.repository.ts',
        bad: 'export interface OrderRow {\n  id: string;\n  customer_id: string;\n}\n',
        good: 'interface OrderRow {\n  id: string;\n  customer_id: string;\n}\nexport interface OrderRecord {\n  id: string;\n  customerId: string;\n}\n',
      },
    };
    for (const [rule, { file, bad, good }] of Object.entries(planted)) {
      it(`catches a planted violation: ${rule}`, () => {
        const check = persistenceRules[rule];
        expect(check, rule).to.be.a('function');
        expect(check!(file, bad)).to.have.length.greaterThan(0);
        expect(check!(file, good)).to.deep.equal([]);
      });
    }
    it('plants a violation for every rule', () => {
      expect(Object.keys(planted).sort()).to.deep.equal(Object.keys(persistenceRules).sort());
    });
  });
});
