import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** GCM's full tag: a shorter one would be accepted by Node unless the length is pinned, and forged more easily. */
const TAG_BYTES = 16;

/**
 * Signing secrets at rest: AES-256-GCM under WEBHOOK_SECRETS_KEY, stored as
 * `v2.<iv>.<tag>.<ciphertext>` (base64url), bound to their subscription by associated data: a
 * secret copied onto another subscription's row does not open there. Whoever reads the database
 * alone cannot sign. `v1` (the first format, without associated data) is only ever read by
 * `reseal`, which the service runs over every stored secret at start-up.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(keyBase64: string) {
    this.key = Buffer.from(keyBase64, 'base64');
    if (this.key.length !== 32) throw new Error('the webhook secrets key must be 32 bytes');
  }

  seal(plain: string, subscriptionId: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(subscriptionId));
    const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v2', iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  open(sealed: string, subscriptionId: string): string {
    return this.decrypt(sealed, 'v2', subscriptionId);
  }

  /** True for a secret in the first format (no associated data), which `reseal` converts. */
  static isLegacy(sealed: string): boolean {
    return sealed.startsWith('v1.');
  }

  /** A `v1` secret sealed again as `v2`, bound to its subscription. */
  reseal(sealed: string, subscriptionId: string): string {
    return this.seal(this.decrypt(sealed, 'v1', subscriptionId), subscriptionId);
  }

  private decrypt(sealed: string, expected: 'v1' | 'v2', subscriptionId: string): string {
    const [version, iv, tag, ciphertext, extra] = sealed.split('.');
    if (version !== expected || !iv || !tag || ciphertext === undefined || extra !== undefined) throw new Error(`not a sealed webhook secret (${expected})`);
    const tagBytes = Buffer.from(tag, 'base64url');
    if (tagBytes.length !== TAG_BYTES) throw new Error('a sealed webhook secret must carry a 16-byte tag');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
    if (version === 'v2') decipher.setAAD(associatedData(subscriptionId));
    decipher.setAuthTag(tagBytes);
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}

function associatedData(subscriptionId: string): Buffer {
  return Buffer.from(`quickstock:webhook-subscription:${subscriptionId}`, 'utf8');
}

/** A new signing secret, as the Standard Webhooks specification shapes them: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** The HMAC key of a `whsec_` secret: the base64-decoded part after the prefix. */
export function hmacKey(secret: string): Buffer {
  return Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
}

/**
 * The `webhook-signature` header value (Standard Webhooks 1.0): one `v1,<base64 HMAC-SHA256>` of
 * `<id>.<timestamp>.<body>` per secret, space-separated, keyed with the base64-decoded part after `whsec_`.
 */
export function signatureHeader(messageId: string, timestampSeconds: number, body: string, secrets: readonly string[]): string {
  return signWithKeys(messageId, timestampSeconds, body, secrets.map(hmacKey));
}

/** The same header from keys already decoded (the delivery worker keeps them per secret). */
export function signWithKeys(messageId: string, timestampSeconds: number, body: string, keys: readonly Buffer[]): string {
  const content = `${messageId}.${timestampSeconds}.${body}`;
  return keys.map((key) => `v1,${createHmac('sha256', key).update(content).digest('base64')}`).join(' ');
}
