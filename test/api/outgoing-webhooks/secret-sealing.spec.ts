import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { SecretBox, newSigningSecret } from '../../../src/outgoing-webhooks/secret-box';
import { query } from '../../support/database';
import { h, testEnv } from '../../support/hooks';

/** A secret as the first version sealed it: AES-256-GCM without associated data, `v1.` prefixed. */
function sealV1(secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(testEnv['WEBHOOK_SECRETS_KEY']!, 'base64'), iv);
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

describe('outgoing webhooks: signing secrets stored in the first format', () => {
  it('are sealed again at start-up, bound to their subscription, and still open to the same secrets', async () => {
    const id = randomUUID();
    const [current, previous] = [newSigningSecret(), newSigningSecret()];
    await query(
      `INSERT INTO webhook_subscriptions (id, url, event_types, enabled, secret_ciphertext, previous_secret_ciphertext, previous_secret_expires_at)
       VALUES ($1, 'https://erp.example.test/hooks', '["order.created"]', false, $2, $3, now() + interval '1 hour')`,
      [id, sealV1(current), sealV1(previous)],
    );
    // What every instance runs after the migrations (src/server.ts); a second pass finds nothing.
    expect(await h().server.services.outgoingWebhooks.resealLegacySecrets()).to.be.at.least(2);
    expect(await h().server.services.outgoingWebhooks.resealLegacySecrets()).to.equal(0);
    const [row] = await query<{ secret_ciphertext: string; previous_secret_ciphertext: string }>(
      'SELECT secret_ciphertext, previous_secret_ciphertext FROM webhook_subscriptions WHERE id = $1',
      [id],
    );
    const box = new SecretBox(testEnv['WEBHOOK_SECRETS_KEY']!);
    expect(row!.secret_ciphertext).to.match(/^v2\./);
    expect(row!.previous_secret_ciphertext).to.match(/^v2\./);
    expect(box.open(row!.secret_ciphertext, id)).to.equal(current);
    expect(box.open(row!.previous_secret_ciphertext, id)).to.equal(previous);
    expect(() => box.open(row!.secret_ciphertext, randomUUID())).to.throw();
    await query('DELETE FROM webhook_subscriptions WHERE id = $1', [id]);
  });
});
