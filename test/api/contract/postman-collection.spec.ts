import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ok, asAdmin, createProduct } from '../../support/api';
import { client } from '../../support/client';
import { ADMIN, h } from '../../support/hooks';

// newman ships no types; only run() and the summary fields read below are used.
interface NewmanSummary {
  run: {
    failures: { error: { message: string }; source?: { name?: string } }[];
    executions: { item: { name: string }; response?: { code: number; stream: Buffer }; assertions?: { assertion: string; error?: unknown }[] }[];
  };
}
const newman = createRequire(__filename)('newman') as {
  run(options: Record<string, unknown>, done: (err: Error | null, summary: NewmanSummary) => void): void;
};

const collection = JSON.parse(readFileSync(path.join(__dirname, '../../../docs/postman/quickstock.postman_collection.json'), 'utf8')) as unknown;

function runFolder(folder: string): Promise<NewmanSummary> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection,
        folder,
        envVar: [
          { key: 'baseUrl', value: h().baseUrl },
          { key: 'email', value: ADMIN.email },
          { key: 'password', value: ADMIN.password },
        ],
        reporters: [],
        timeoutRequest: 10_000,
      },
      (err, summary) => (err ? reject(err) : resolve(summary)),
    );
  });
}

describe('Postman collection (docs/postman)', () => {
  it('runs the order flow green with newman: sign in to delivered, every request tested', async function () {
    this.timeout(60_000);
    await createProduct({ initialStock: 5 }); // the suite's database has no demo catalog

    const summary = await runFolder('Order flow');

    expect(summary.run.failures.map((f) => `${f.source?.name}: ${f.error.message}`)).to.deep.equal([]);
    const steps = summary.run.executions.map((e) => [e.item.name, e.response?.code]);
    expect(steps).to.deep.equal([
      ['Sign in', 200],
      ['Register a customer', 201],
      ['List products in stock', 200],
      ['Place an order', 201],
      ['Pay manually', 201],
      ['Start preparation', 200],
      ['Ship', 201],
      ['Deliver', 200],
    ]);
    for (const execution of summary.run.executions) expect(execution.assertions ?? [], execution.item.name).to.not.be.empty;

    const placed = summary.run.executions.find((e) => e.item.name === 'Place an order');
    const orderId = (JSON.parse(String(placed?.response?.stream)) as { id: string }).id;
    const order = await client(await asAdmin()).GET('/api/v1/orders/{id}', { params: { path: { id: orderId } } });
    expect(order.data?.status).to.equal('delivered');
    const history = await client(await asAdmin()).GET('/api/v1/orders/{id}/history', { params: { path: { id: orderId } } });
    expect(history.data?.items.map((e) => e.to)).to.deep.equal(['pending_payment', 'paid', 'in_preparation', 'shipped', 'delivered']);
    const sold = await client(await asAdmin()).GET('/api/v1/products/{id}/stock-movements', { params: { path: { id: ok(order).items[0]!.productId } } });
    expect(sold.data?.items[0]).to.include({ type: 'sale', delta: -1, orderId });
  });
});
