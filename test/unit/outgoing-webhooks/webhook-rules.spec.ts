import { createCipheriv, randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Webhook } from 'standardwebhooks';
import { healthChanges } from '../../../src/outgoing-webhooks/attempt-recorder';
import { advanceCursor } from '../../../src/platform/events';
import { MIN_DELAY_AFTER_OVERLOAD_MS, nextRetryDelayMs, parseRetryAfter } from '../../../src/outgoing-webhooks/retry-policy';
import { SecretBox, newSigningSecret, signatureHeader } from '../../../src/outgoing-webhooks/secret-box';
import { blockedRange } from '../../../src/outgoing-webhooks/url-policy';

const SCHEDULE = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];
const none = { statusCode: 500, errorKind: 'http-status' as const, retryAfterMs: null };

describe('outgoing webhooks: the rules', () => {
  describe('retry schedule', () => {
    it('follows the schedule with ±20 % jitter and gives up after its last step', () => {
      expect(nextRetryDelayMs(1, SCHEDULE, none, () => 0)).to.equal(4_000);
      expect(nextRetryDelayMs(1, SCHEDULE, none, () => 1)).to.equal(6_000);
      expect(nextRetryDelayMs(2, SCHEDULE, none, () => 0.5)).to.equal(300_000);
      expect(nextRetryDelayMs(7, SCHEDULE, none, () => 0.5)).to.equal(36_000_000);
      expect(nextRetryDelayMs(8, SCHEDULE, none)).to.equal(null);
    });

    it('honours a longer Retry-After up to the longest step, and waits at least 60 s after a timeout or a 429', () => {
      expect(nextRetryDelayMs(1, SCHEDULE, { ...none, statusCode: 503, retryAfterMs: 120_000 }, () => 0.5)).to.equal(120_000);
      expect(nextRetryDelayMs(1, SCHEDULE, { ...none, statusCode: 503, retryAfterMs: 999_999_999 }, () => 0.5)).to.equal(36_000_000);
      expect(nextRetryDelayMs(2, SCHEDULE, { ...none, statusCode: 503, retryAfterMs: 1_000 }, () => 0.5)).to.equal(300_000);
      expect(nextRetryDelayMs(1, SCHEDULE, { statusCode: null, errorKind: 'timeout', retryAfterMs: null }, () => 0.5)).to.equal(MIN_DELAY_AFTER_OVERLOAD_MS);
      expect(nextRetryDelayMs(1, SCHEDULE, { ...none, statusCode: 429 }, () => 0.5)).to.equal(MIN_DELAY_AFTER_OVERLOAD_MS);
    });

    it('reads Retry-After as seconds or an HTTP date', () => {
      expect(parseRetryAfter('30')).to.equal(30_000);
      expect(parseRetryAfter(new Date(Date.UTC(2026, 0, 1, 0, 1)).toUTCString(), Date.UTC(2026, 0, 1))).to.equal(60_000);
      expect(parseRetryAfter('soon')).to.equal(null);
      expect(parseRetryAfter(undefined)).to.equal(null);
    });
  });

  describe('health of a recorded batch', () => {
    const ok = { statusCode: 200, errorKind: null, retryAfterMs: null, durationMs: 3, responseBody: '' };
    const failed = { statusCode: 503, errorKind: 'http-status' as const, retryAfterMs: null, durationMs: 3, responseBody: '' };

    it('gives each subscription what its outcomes, in the order they arrived, do to its health', () => {
      const changes = healthChanges([
        { subscriptionId: 'a', result: failed },
        { subscriptionId: 'b', result: ok },
        { subscriptionId: 'a', result: ok },
        { subscriptionId: 'c', result: ok },
        { subscriptionId: 'c', result: failed },
        { subscriptionId: 'd', result: failed },
      ]);
      expect(changes).to.deep.equal([
        // Failed, then succeeded: healthy again.
        { subscriptionId: 'a', anySucceeded: true, anyFailed: true, lastSucceeded: true },
        { subscriptionId: 'b', anySucceeded: true, anyFailed: false, lastSucceeded: true },
        // Succeeded, then failed: failing from now (not from an older failing_since).
        { subscriptionId: 'c', anySucceeded: true, anyFailed: true, lastSucceeded: false },
        { subscriptionId: 'd', anySucceeded: false, anyFailed: true, lastSucceeded: false },
      ]);
    });
  });

  describe('fan-out cursor', () => {
    it('remembers ids skipped below its high-water mark and finds them when they commit late', () => {
      const first = advanceCursor({ lastId: 10, gaps: [] }, [11, 13, 14], 1_000, 60_000);
      expect(first.next).to.deep.equal({ lastId: 14, gaps: [[12, 1_000]] });
      const second = advanceCursor(first.next, [12, 15], 2_000, 60_000);
      expect(second.next).to.deep.equal({ lastId: 15, gaps: [] });
    });

    it('stops looking for a gap after the wait (a rolled-back transaction)', () => {
      const { next, expired } = advanceCursor({ lastId: 14, gaps: [[12, 1_000]] }, [], 70_000, 60_000);
      expect(next).to.deep.equal({ lastId: 14, gaps: [] });
      expect(expired).to.deep.equal([12]);
    });
  });

  describe('addresses', () => {
    it('refuses loopback, private, link-local, metadata and reserved addresses, IPv4 and IPv6', () => {
      for (const address of [
        '127.0.0.1',
        '10.0.0.1',
        '172.16.5.4',
        '192.168.1.1',
        '169.254.169.254',
        '0.0.0.0',
        '100.64.0.1',
        '::1',
        'fe80::1',
        'fd00::1',
        '::ffff:127.0.0.1',
        '::',
        '224.0.0.1',
      ]) {
        expect(blockedRange(address, []), address).to.be.a('string');
      }
      for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']) expect(blockedRange(address, []), address).to.equal(null);
    });

    it('lets WEBHOOK_ALLOWED_CIDRS through, and only them', () => {
      expect(blockedRange('127.0.0.1', ['127.0.0.1/32'])).to.equal(null);
      expect(blockedRange('127.0.0.2', ['127.0.0.1/32'])).to.equal('loopback');
      expect(blockedRange('10.1.2.3', ['10.0.0.0/8'])).to.equal(null);
      expect(blockedRange('::1', ['127.0.0.1/32'])).to.equal('loopback');
    });
  });

  describe('secrets', () => {
    const A = '0f6b2c1e-7d4a-4e8b-9c3f-5a1d2e7b8c90';
    const B = '6c1d9e2a-3b4f-4a5e-8d7c-1f2e3a4b5c6d';

    it('seals and opens a secret with AES-256-GCM, and refuses a tampered one', () => {
      const box = new SecretBox(Buffer.alloc(32, 3).toString('base64'));
      const secret = newSigningSecret();
      const sealed = box.seal(secret, A);
      expect(sealed).to.not.contain(secret.slice(6));
      expect(sealed.startsWith('v2.')).to.equal(true);
      expect(box.open(sealed, A)).to.equal(secret);
      const parts = sealed.split('.');
      parts[3] = Buffer.from('x'.repeat(10)).toString('base64url');
      expect(() => box.open(parts.join('.'), A)).to.throw();
      expect(() => new SecretBox(Buffer.alloc(32, 4).toString('base64')).open(sealed, A)).to.throw();
    });

    it('refuses a tag cut to 4 bytes (GCM would check only those) and a secret sealed for another subscription', () => {
      const box = new SecretBox(Buffer.alloc(32, 3).toString('base64'));
      const sealed = box.seal(newSigningSecret(), A);
      const [version, iv, tag, ciphertext] = sealed.split('.') as [string, string, string, string];
      const short = [version, iv, Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url'), ciphertext].join('.');
      expect(() => box.open(short, A)).to.throw(/16-byte tag/);
      // Copied onto another subscription's row, it does not open there.
      expect(() => box.open(sealed, B)).to.throw();
    });

    it('seals a secret of the first format (v1, no associated data) again for its subscription, and opens v1 nowhere else', () => {
      const key = Buffer.alloc(32, 3);
      const box = new SecretBox(key.toString('base64'));
      const secret = newSigningSecret();
      // What the first version stored: no associated data.
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
      const v1 = ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ciphertext.toString('base64url')].join('.');
      expect(SecretBox.isLegacy(v1)).to.equal(true);
      expect(() => box.open(v1, A)).to.throw();
      const v2 = box.reseal(v1, A);
      expect(SecretBox.isLegacy(v2)).to.equal(false);
      expect(box.open(v2, A)).to.equal(secret);
      expect(() => box.open(v2, B)).to.throw();
      const [, ivS, tagS, ctS] = v1.split('.') as [string, string, string, string];
      expect(() => box.reseal(['v1', ivS, Buffer.from(tagS, 'base64url').subarray(0, 4).toString('base64url'), ctS].join('.'), A)).to.throw(/16-byte tag/);
    });

    it('signs as the Standard Webhooks reference does, one signature per secret', () => {
      const [a, b] = [newSigningSecret(), newSigningSecret()];
      const body = '{"type":"order.created"}';
      const header = signatureHeader('msg_1', 1_796_118_012, body, [a, b]);
      expect(header.split(' ')).to.have.length(2);
      const reference = new Webhook(a.slice(6)).sign('msg_1', new Date(1_796_118_012_000), body);
      expect(header.split(' ')[0]).to.equal(reference);
    });
  });
});
