import { expect } from 'chai';
import { isStorableUrl } from '../../../src/platform/http/stored-url';
import { api, asAdmin } from '../../support/api';
import { query } from '../../support/db';
import { withSecondService } from '../../support/hooks';
import { orderInPreparation } from '../integrations/helpers';

const shipment = (trackingUrl: string) => ({ carrier: 'manual', carrierName: 'BRT', trackingCode: `BRT-${Date.now()}`, trackingUrl });

describe('Stored URLs are web links only', () => {
  for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(document.cookie)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', 'https://user:pass@track.example/1']) {
    it(`refuses a shipment trackingUrl of ${url} with 400, storing nothing`, async () => {
      const { order } = await orderInPreparation();
      const res = await api('POST', `/api/v1/orders/${order.id}/shipments`, { token: await asAdmin(), body: shipment(url) });
      expect(res.status).to.equal(400);
      expect(res.headers.get('content-type')).to.include('application/problem+json');
      expect(await query('SELECT 1 FROM shipments WHERE order_id = $1', [order.id])).to.have.length(0);
      expect((await query('SELECT status FROM orders WHERE id = $1', [order.id]))[0].status).to.equal('in_preparation');
    });
  }

  it('stores an https: link, and an http: one outside production', async () => {
    for (const url of ['https://track.example/BRT-1', 'http://track.example/BRT-2']) {
      const { order } = await orderInPreparation();
      const res = await api('POST', `/api/v1/orders/${order.id}/shipments`, { token: await asAdmin(), body: shipment(url) });
      expect(res.status, url).to.equal(201);
      expect(res.body.trackingUrl).to.equal(url);
    }
  });

  it('refuses an http: link in production', async function () {
    this.timeout(30_000);
    const { order } = await orderInPreparation();
    const admin = await asAdmin();
    await withSecondService({ NODE_ENV: 'production' }, async (baseUrl) => {
      const res = await fetch(`${baseUrl}/api/v1/orders/${order.id}/shipments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify(shipment('http://track.example/BRT-3')),
      });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { errors: { path: string }[] }).errors[0]?.path).to.equal('body.trackingUrl');
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
