import { createHash } from 'node:crypto';
import { expect } from 'chai';
import type { Schemas } from '../../support/api';
import { client } from '../../support/client';
import { h } from '../../support/hooks';
import { startServiceProcess, printedSetupLink, type FreshService } from '../../support/services';

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: (text && res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

/** The first-admin call on one instance, typed by the contract. */
const setup = (base: string, body: Schemas['FirstAdminRequest']) => client(undefined, base).POST('/api/v1/setup/first-admin', { body });

const codeOf = (link: string) => new URL(link).hash.replace(/^#code=/, '');
const admin = (code: string, email = 'prima.admin@cartoleria.test') => ({ code, email, name: 'Giulia Bianchi', password: 'una password lunga e sicura' });

describe('first admin from the printed setup link', function () {
  this.timeout(60_000);
  let fresh: FreshService;

  beforeEach(async function () {
    this.timeout(60_000);
    fresh = await startServiceProcess({ admin: false });
  });
  afterEach(async () => {
    await fresh?.stop();
  });

  it('prints a one-time link at start-up, stores only the hash of its code, and opens /console/setup', async () => {
    const link = printedSetupLink(fresh.logs);
    expect(link).to.match(new RegExp(`^http://localhost:${fresh.port}/console/setup#code=[A-Za-z0-9_-]{32}$`));
    // The log says where the link is, never the link: whoever reads the logs must not become admin.
    const line = fresh.logs.find((l) => typeof l['setupLinkFile'] === 'string');
    expect(line?.['msg']).to.contain(line?.['setupLinkFile']);
    expect(Date.parse(line?.['expiresAt'] as string) - Date.now()).to.be.within(59 * 60_000, 60 * 60_000);
    expect(JSON.stringify(fresh.logs)).not.to.contain(codeOf(link));

    const rows = (await fresh.db.query<{ code_hash: Buffer; used_at: Date | null }>('SELECT code_hash, used_at FROM setup_codes')).rows;
    expect(rows).to.have.length(1);
    expect(rows[0]?.code_hash.equals(createHash('sha256').update(codeOf(link)).digest())).to.equal(true);
    const dump = JSON.stringify((await fresh.db.query('SELECT * FROM setup_codes')).rows);
    expect(dump).not.to.contain(codeOf(link));

    const page = await fetch(`${fresh.baseUrl}/console/setup`);
    expect(page.status).to.equal(200);
    expect(await page.text()).to.contain('Primo amministratore');
  });

  it('creates the admin once with the right code, then closes the door with 404', async () => {
    const code = codeOf(printedSetupLink(fresh.logs));
    const created = await setup(fresh.baseUrl, admin(code));
    expect(created.response.status).to.equal(201);
    expect(created.data).to.include({ email: 'prima.admin@cartoleria.test', role: 'admin', name: 'Giulia Bianchi' });
    expect(created.response.headers.get('location')).to.equal(`/api/v1/users/${created.data?.id}`);
    const stored = (await fresh.db.query('SELECT role, disabled FROM users')).rows;
    expect(stored).to.deep.equal([{ role: 'admin', disabled: false }]);
    expect((await fresh.db.query('SELECT used_at FROM setup_codes')).rows[0]?.used_at).to.be.instanceOf(Date);

    const login = await client(undefined, fresh.baseUrl).POST('/api/v1/auth/login', {
      body: { email: 'prima.admin@cartoleria.test', password: 'una password lunga e sicura' },
    });
    expect(login.response.status).to.equal(200);

    const again = await setup(fresh.baseUrl, admin(code, 'seconda@cartoleria.test'));
    expect(again.response.status).to.equal(404);
    expect(again.response.headers.get('content-type')).to.contain('application/problem+json');
    expect((await fetch(`${fresh.baseUrl}/console/setup`)).status).to.equal(404);
    expect((await fresh.db.query('SELECT count(*)::int AS n FROM users')).rows[0]).to.deep.equal({ n: 1 });
  });

  it('refuses a wrong or expired code with 403 invalid-setup-code and creates nobody', async () => {
    const code = codeOf(printedSetupLink(fresh.logs));
    const wrong = await setup(fresh.baseUrl, admin(code.slice(0, -2) + (code.endsWith('AA') ? 'BB' : 'AA')));
    expect(wrong.response.status).to.equal(403);
    expect(wrong.error?.code).to.equal('invalid-setup-code');

    await fresh.db.query("UPDATE setup_codes SET expires_at = now() - interval '1 second'");
    const expired = await setup(fresh.baseUrl, admin(code));
    expect(expired.response.status).to.equal(403);
    expect(expired.error?.code).to.equal('invalid-setup-code');
    expect((await fresh.db.query('SELECT count(*)::int AS n FROM users')).rows[0]).to.deep.equal({ n: 0 });
    expect((await fresh.db.query('SELECT count(*)::int AS n FROM setup_codes WHERE used_at IS NOT NULL')).rows[0]).to.deep.equal({ n: 0 });
  });

  it('refuses a bad body with 400 naming the fields, keeping the code unspent', async () => {
    const code = codeOf(printedSetupLink(fresh.logs));
    // An unknown member (role): outside the contract, sent raw.
    const bad = await call(fresh.baseUrl, 'POST', '/api/v1/setup/first-admin', { code, email: 'not-an-email', name: 'X', password: 'short', role: 'admin' });
    expect(bad.status).to.equal(400);
    expect(bad.body['code']).to.equal('validation-failed');
    const created = await setup(fresh.baseUrl, admin(code));
    expect(created.response.status).to.equal(201);
  });

  it('creates exactly one admin when the same code is sent ten times at once', async () => {
    const code = codeOf(printedSetupLink(fresh.logs));
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => setup(fresh.baseUrl, admin(code, `admin-${i}@cartoleria.test`))));
    expect(answers.filter((a) => a.response.status === 201)).to.have.length(1);
    expect(answers.filter((a) => a.response.status !== 201).map((a) => a.response.status)).to.satisfy((s: number[]) => s.every((x) => x === 404));
    expect((await fresh.db.query("SELECT count(*)::int AS n FROM users WHERE role = 'admin'")).rows[0]).to.deep.equal({ n: 1 });
  });

  it('rate-limits attempts per client address with 429 and Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 12; i += 1) {
      const answer = await setup(fresh.baseUrl, admin('x'.repeat(32)));
      statuses.push(answer.response.status);
      if (answer.response.status === 429) retryAfter = answer.response.headers.get('retry-after');
    }
    expect(statuses.slice(0, 10)).to.deep.equal(Array(10).fill(403));
    expect(statuses.slice(10)).to.deep.equal([429, 429]);
    expect(Number(retryAfter)).to.be.greaterThan(0);
    // Refused attempts create nothing and spend no code.
    expect((await fresh.db.query('SELECT count(*)::int AS n FROM users')).rows[0]).to.deep.equal({ n: 0 });
  });
});

describe('first-admin setup once an admin exists', () => {
  it('prints no link and serves no setup page when ADMIN_EMAIL made the admin', async () => {
    expect(h().server.setupLink).to.equal(null);
    expect((await fetch(`${h().baseUrl}/console/setup`)).status).to.equal(404);
    const closed = await setup(h().baseUrl, admin('y'.repeat(32)));
    expect(closed.response.status).to.equal(404);
  });
});
