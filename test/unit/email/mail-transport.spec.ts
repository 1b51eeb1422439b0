import { expect } from 'chai';
import { Writable } from 'node:stream';
import pino from 'pino';
import { freePort } from '../../../test-kit/service-process';
import { messageIdDomain } from '../../../src/email/mail-drafts';
import { classifySendError, MAX_REPLY_LENGTH, retryDelayMs } from '../../../src/email/mail-retry-policy';
import { describeSmtp, secretScrubber, SmtpTransport, transportOptions } from '../../../src/email/smtp-transport';
import { startTestSmtpServer } from '../../support/smtp';

/** A logger whose lines land in `lines`, at debug level (everything the transport could say). */
function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

const MAIL = {
  to: 'cliente@example.test',
  subject: 'Ordine QS-2026-000001 confermato',
  html: '<p>Grazie</p>',
  text: 'Grazie',
  messageId: '<0f6b2c1e-7d4a-4e8b-9c3f-5a1d2e7b8c90@quickstock.test>',
};

describe('email: the SMTP transport', () => {
  describe('options from SMTP_URL', () => {
    it('requires STARTTLS for a plain smtp:// to another host, with a pool of 3 and every wait bounded', () => {
      const options = transportOptions('smtp://mailer:s3cret@smtp.example.com:587', 5000);
      expect(options).to.include({ pool: true, maxConnections: 3, maxRequeues: 0, host: 'smtp.example.com', port: 587, secure: false, requireTLS: true });
      expect(options).to.include({ connectionTimeout: 5000, greetingTimeout: 5000, socketTimeout: 5000, logger: false, debug: false });
      expect(options.auth).to.deep.equal({ user: 'mailer', pass: 's3cret' });
    });

    it('speaks TLS from the first byte for smtps:// (465 by default), and may go plain to loopback', () => {
      expect(transportOptions('smtps://mailer:s3cret@smtp.example.com', 5000)).to.include({ port: 465, secure: true, requireTLS: false });
      expect(transportOptions('smtp://127.0.0.1:2525', 5000)).to.include({ port: 2525, secure: false, requireTLS: false });
      expect(transportOptions('smtp://localhost', 5000)).to.include({ port: 587, requireTLS: false });
      expect(transportOptions('smtp://[::1]:25', 5000)).to.include({ host: '::1', requireTLS: false });
      expect(transportOptions('smtp://localhost', 5000)).not.to.have.property('auth');
    });

    it('decodes percent-encoded credentials, and describes the server as host:port only', () => {
      expect(transportOptions('smtp://ordini%40shop.example:p%40ss%3Aw0rd@smtp.example.com', 1000).auth).to.deep.equal({
        user: 'ordini@shop.example',
        pass: 'p@ss:w0rd',
      });
      expect(describeSmtp('smtps://ordini%40shop.example:p%40ss%3Aw0rd@smtp.example.com')).to.equal('smtp.example.com:465');
      expect(describeSmtp('smtp://u:p@[2001:db8::25]:2525')).to.equal('[2001:db8::25]:2525');
    });

    it('scrubs the URL and the password, as written and decoded, from any text', () => {
      const url = 'smtp://ordini%40shop.example:p%40ss%3Aw0rd@smtp.example.com:587';
      const scrub = secretScrubber(url);
      expect(scrub(`cannot reach ${url}: bad p@ss:w0rd or p%40ss%3Aw0rd for ordini@shop.example`)).to.equal(
        'cannot reach ***: bad *** or *** for ordini@shop.example',
      );
    });
  });

  describe('what an answer means', () => {
    it('retries a 4xx, a 503, a timeout, a dropped or refused connection and a credentials problem; fails any other 5xx at once', () => {
      expect(classifySendError({ responseCode: 421, response: '421 Try again later', code: 'EMESSAGE' })).to.deep.equal({
        kind: 'temporary',
        reply: '421 Try again later',
      });
      expect(classifySendError({ responseCode: 452, response: '452 4.3.1 Insufficient storage' }).kind).to.equal('temporary');
      expect(classifySendError({ responseCode: 503, response: '503 Bad sequence of commands' }).kind).to.equal('temporary');
      expect(classifySendError({ code: 'ETIMEDOUT', message: 'Greeting never received' })).to.deep.equal({
        kind: 'temporary',
        reply: 'ETIMEDOUT: Greeting never received',
      });
      expect(classifySendError({ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }).kind).to.equal('temporary');
      expect(classifySendError({ code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:25' }).kind).to.equal('temporary');
      expect(classifySendError({ code: 'EAUTH', responseCode: 535, response: '535 Authentication credentials invalid' }).kind).to.equal('temporary');
      expect(classifySendError({ code: 'EMESSAGE', responseCode: 550, response: '550 Message rejected' })).to.deep.equal({
        kind: 'permanent',
        reply: '550 Message rejected',
      });
      expect(classifySendError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 <x@example.test>: Recipient address rejected' }).kind).to.equal(
        'permanent',
      );
      expect(classifySendError({ code: 'EENVELOPE', responseCode: 554, response: '554 5.7.1 Relay access denied' }).kind).to.equal('permanent');
    });

    it('keeps a reply on one line, within what the log keeps', () => {
      const { reply } = classifySendError({ responseCode: 550, response: `550-first line\r\n550 ${'x'.repeat(2000)}` });
      expect(reply).not.to.match(/[\r\n]/);
      expect(reply.startsWith('550-first line 550 x')).to.equal(true);
      expect(reply).to.have.length(MAX_REPLY_LENGTH);
    });

    it('waits the schedule’s step ±20 % after each failure, and gives up when the schedule is spent', () => {
      const schedule = [60_000, 300_000, 900_000];
      expect(retryDelayMs(1, schedule, () => 0)).to.equal(48_000);
      expect(retryDelayMs(1, schedule, () => 1)).to.equal(72_000);
      expect(retryDelayMs(2, schedule, () => 0.5)).to.equal(300_000);
      expect(retryDelayMs(3, schedule, () => 0.25)).to.equal(810_000);
      expect(retryDelayMs(4, schedule)).to.equal(null);
      for (let i = 0; i < 100; i += 1) expect(retryDelayMs(1, schedule)).to.be.within(48_000, 72_000);
    });

    it('takes the Message-ID’s domain from PUBLIC_URL, else from MAIL_FROM', () => {
      expect(messageIdDomain('https://shop.quickstock.example:8443/base', 'QuickStock <ordini@other.example>')).to.equal('shop.quickstock.example');
      expect(messageIdDomain(null, 'QuickStock <ordini@quickstock.example>')).to.equal('quickstock.example');
      expect(messageIdDomain(null, 'ordini@quickstock.example')).to.equal('quickstock.example');
    });
  });

  describe('sending (a real SMTP server on loopback)', function () {
    this.timeout(20_000);

    it('sends through a server that requires AUTH and answers its 250 line', async () => {
      const smtp = await startTestSmtpServer({ user: 'mailer', password: 'right-password' });
      const { logger, lines } = capturingLogger();
      const transport = new SmtpTransport(`smtp://mailer:right-password@127.0.0.1:${smtp.port}`, 'QuickStock <ordini@quickstock.example>', 2000, logger);
      try {
        const result = await transport.send(MAIL, new AbortController().signal);
        expect(result.kind).to.equal('sent');
        expect(result.kind === 'sent' && result.reply).to.match(/^250\b/);
        expect(smtp.received[0]?.authUser).to.equal('mailer');
        expect(smtp.received[0]?.parsed.messageId).to.equal(MAIL.messageId);
        expect(lines.join('')).not.to.include('right-password');
      } finally {
        transport.close();
        await smtp.stop();
      }
    });

    it('says nothing of the password when the server refuses it, nor when it cannot be reached', async () => {
      const smtp = await startTestSmtpServer({ user: 'mailer', password: 'right-password' });
      const { logger, lines } = capturingLogger();
      const wrong = new SmtpTransport(`smtp://mailer:wrong%2Fpassword@127.0.0.1:${smtp.port}`, 'ordini@quickstock.example', 2000, logger);
      const closedPort = await freePort();
      const unreachable = new SmtpTransport(`smtp://mailer:wrong%2Fpassword@127.0.0.1:${closedPort}`, 'ordini@quickstock.example', 2000, logger);
      try {
        const refused = await wrong.send(MAIL, new AbortController().signal);
        expect(refused).to.deep.include({ kind: 'temporary' });
        const down = await unreachable.send(MAIL, new AbortController().signal);
        expect(down.kind).to.equal('temporary');
        const said = JSON.stringify([refused, down]) + lines.join('');
        expect(said).to.include('535');
        expect(said).not.to.include('wrong/password');
        expect(said).not.to.include('wrong%2Fpassword');
      } finally {
        wrong.close();
        unreachable.close();
        await smtp.stop();
      }
    });

    it('counts a server that hangs as a temporary failure after MAIL_TIMEOUT_MS, and a stop as neither', async () => {
      const smtp = await startTestSmtpServer();
      const transport = new SmtpTransport(`smtp://127.0.0.1:${smtp.port}`, 'ordini@quickstock.example', 500, pino({ level: 'silent' }));
      try {
        smtp.hang();
        const started = Date.now();
        const result = await transport.send(MAIL, new AbortController().signal);
        expect(result.kind).to.equal('temporary');
        expect(Date.now() - started).to.be.within(400, 3000);
        const stop = new AbortController();
        const stopped = transport.send(MAIL, stop.signal);
        setTimeout(() => stop.abort(), 50);
        expect(await stopped).to.deep.equal({ kind: 'stopped' });
      } finally {
        transport.close();
        await smtp.stop();
      }
    });
  });
});
