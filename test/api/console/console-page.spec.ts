import { expect } from 'chai';
import { rawRequest } from '../../support/api';

describe('staff console page', () => {
  it('serves the page at /console and /console/ with a CSP that allows only its own script, style and origin', async () => {
    for (const path of ['/console', '/console/']) {
      const res = await rawRequest('GET', path);
      expect(res.status, path).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^text\/html/);
      expect(res.body).to.contain('<script type="module" src="/console/console.js"></script>');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).to.contain("script-src 'self'");
      expect(csp).to.contain("connect-src 'self'");
      expect(csp).to.contain("frame-ancestors 'none'");
      expect(csp).to.not.contain('unsafe-inline');
      expect(csp).to.not.contain('unsafe-eval');
    }
  });

  it('serves the bundled script and style sheet from the service itself, revalidated on every load', async () => {
    const script = await rawRequest('GET', '/console/console.js');
    expect(script.status).to.equal(200);
    expect(script.headers.get('content-type')).to.match(/javascript/);
    expect(script.headers.get('cache-control')).to.equal('no-cache');
    expect(script.headers.get('etag')).to.be.a('string');
    // socket.io-client is bundled in, not fetched from a CDN.
    expect(script.body).to.not.match(/https?:\/\/(cdn|unpkg|jsdelivr)/);
    const css = await rawRequest('GET', '/console/console.css');
    expect(css.status).to.equal(200);
    expect(css.headers.get('content-type')).to.match(/^text\/css/);
  });

  it('answers an unknown console file with a 404 problem', async () => {
    const res = await rawRequest('GET', '/console/nope.js');
    expect(res.status).to.equal(404);
    expect(res.headers.get('content-type')).to.match(/^application\/problem\+json/);
  });
});
