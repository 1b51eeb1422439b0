import { expect } from 'chai';
import { isStorableUrl } from '../../../src/platform/http/stored-url';
import { asAdmin } from '../../support/api';
import { client } from '../../support/client';
import { query } from '../../support/database';
import { withSecondService } from '../../support/services';
import { orderInPreparation } from '../integrations/helpers';

const shipment = (trackingUrl: string) => ({ carrier: 'manual' as const, carrierName: 'BRT', trackingCode: `BRT-${Date.now()}`, trackingUrl });

describe('Stored URLs are web links only', () => {
  for (const url of [
    'javascript:alert(1)',
    'JaVaScRiPt:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'vbscript:msgbox(1)',
    'https://user:pass@track.example/1',
  ]) {
    it(`refuses a shipment trackingUrl of ${url} with 400, storing nothing`, async () => {
      const { order } = await orderInPreparation();
      const res = await client(await asAdmin()).POST('/api/v1/orders/{id}/shipments', { params: { path: { id: order.id } }, body: shipment(url) });
      expect(res.response.status).to.equal(400);
      expect(res.response.headers.get('content-type')).to.include('application/problem+json');
      expect(await query('SELECT 1 FROM shipments WHERE order_id = $1', [order.id])).to.have.length(0);
      expect((await query('SELECT status FROM orders WHERE id = $1', [order.id]))[0].status).to.equal('in_preparation');
    });
  }

  it('stores an https: link, and an http: one outside production', async () => {
    for (const url of ['https://track.example/BRT-1', 'http://track.example/BRT-2']) {
      const { order } = await orderInPreparation();
      const res = await client(await asAdmin()).POST('/api/v1/orders/{id}/shipments', { params: { path: { id: order.id } }, body: shipment(url) });
      expect(res.response.status, url).to.equal(201);
      expect(res.data?.trackingUrl).to.equal(url);
    }
  });

  it('refuses an http: link in production', async function () {
    this.timeout(30_000);
    const { order } = await orderInPreparation();
    const admin = await asAdmin();
    await withSecondService({ NODE_ENV: 'production' }, async (baseUrl) => {
      const res = await client(admin, baseUrl).POST('/api/v1/orders/{id}/shipments', {
        params: { path: { id: order.id } },
        body: shipment('http://track.example/BRT-3'),
      });
      expect(res.response.status).to.equal(400);
      expect(res.error?.errors?.[0]?.path).to.equal('body.trackingUrl');
    });
    expect(await query('SELECT 1 FROM shipments WHERE order_id = $1', [order.id])).to.have.length(0);
  });

  it('keeps only https: links from a provider (unit)', () => {
    expect(isStorableUrl('https://track.easypost.com/abc', false)).to.equal(true);
    expect(isStorableUrl('http://track.easypost.com/abc', false)).to.equal(false);
    expect(isStorableUrl('javascript:alert(1)', true)).to.equal(false);
    expect(isStorableUrl('ftp://files.example/label.pdf', true)).to.equal(false);
    expect(isStorableUrl('not a url', true)).to.equal(false);
  });
});
