import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CLIENT_EVENT_TYPES } from '../../../src/platform/events';

const spec = JSON.parse(readFileSync(path.join(__dirname, '../../../generated/openapi.json'), 'utf8')) as Record<string, any>;

/** Every AsyncAPI message type can be subscribed to and is described as an outgoing request. */
describe('outgoing webhooks in the OpenAPI contract', () => {
  it('offers every AsyncAPI event type, and describes one outgoing request per type (and webhook.test)', () => {
    expect(spec['components'].schemas.WebhookEventType.enum).to.have.members([...CLIENT_EVENT_TYPES]);
    expect(Object.keys(spec['webhooks'] as object)).to.have.members([...CLIENT_EVENT_TYPES, 'webhook.test']);
  });

  it('gives every outgoing request the three signature headers and an example', () => {
    for (const [type, item] of Object.entries(spec['webhooks'] as Record<string, any>)) {
      const names = (item.post.parameters as { $ref?: string; name?: string }[]).map((p) =>
        p.$ref ? spec['components'].parameters[p.$ref.split('/').pop()!].name : p.name,
      );
      expect(names, type).to.deep.equal(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
      expect(Object.keys(item.post.requestBody.content['application/json'].examples as object), type).to.have.length.greaterThan(0);
    }
  });
});
