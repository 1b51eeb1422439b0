import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { isLoopbackSmtp } from '../platform/config/mail-settings';
import { classifySendError, oneLine, type SendResult, type SmtpErrorLike } from './mail-retry-policy';

/** Connections the pool keeps open at most (issue 26); the worker sends as many mails at once. */
export const SMTP_POOL_SIZE = 3;

/** Where SMTP_URL points and how to talk to it; the credentials never leave this file but to nodemailer. */
export interface SmtpEndpoint {
  host: string;
  port: number;
  /** smtps:// — TLS from the first byte. */
  secure: boolean;
  /** smtp:// to another machine — STARTTLS or nothing (the password and the mails never cross the network in clear). */
  requireTLS: boolean;
  user: string | null;
  pass: string | null;
}

export function smtpEndpoint(smtpUrl: string): SmtpEndpoint {
  const url = new URL(smtpUrl);
  const secure = url.protocol === 'smtps:';
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    secure,
    requireTLS: !secure && !isLoopbackSmtp(smtpUrl),
    user: url.username ? decodeURIComponent(url.username) : null,
    pass: url.password ? decodeURIComponent(url.password) : null,
  };
}

/** `host:port` of SMTP_URL: all that logs and errors ever say of it. */
export function describeSmtp(smtpUrl: string): string {
  const { host, port } = smtpEndpoint(smtpUrl);
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * Nodemailer's options for SMTP_URL: a pool of SMTP_POOL_SIZE connections; TLS at once for smtps://,
 * STARTTLS required for smtp:// to any host but this machine; each wait (connecting, the greeting,
 * any reply) bounded by MAIL_TIMEOUT_MS. The URL itself is never handed over (nodemailer would keep
 * it, credentials included), and no logger: its debug output carries the AUTH exchange.
 */
export function transportOptions(smtpUrl: string, timeoutMs: number) {
  const endpoint = smtpEndpoint(smtpUrl);
  return {
    pool: true as const,
    maxConnections: SMTP_POOL_SIZE,
    // A connection dropped mid-send fails the message back to the worker, which retries it on its
    // schedule with the same Message-ID, instead of nodemailer re-sending it at once behind its back.
    maxRequeues: 0,
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.secure,
    requireTLS: endpoint.requireTLS,
    ...(endpoint.user !== null ? { auth: { user: endpoint.user, pass: endpoint.pass ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    logger: false,
    debug: false,
  };
}

/**
 * Replaces SMTP_URL's secrets in `text` by `***`: the URL itself and its password, as written and
 * decoded (the user name stays: it is no secret, and replies name it, e.g. in a 535).
 */
export function secretScrubber(smtpUrl: string): (text: string) => string {
  const url = new URL(smtpUrl);
  const secrets = [smtpUrl, url.password]
    .flatMap((s) => (s ? [s, safeDecode(s)] : []))
    .filter((s) => s.length >= 3)
    .sort((a, b) => b.length - a.length);
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('***'), text);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A mail as it leaves: what the row holds. */
export interface OutgoingMail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** `<uuid@domain>`, the same on every attempt. */
  messageId: string;
}

/** Sends mails over SMTP_URL's pool; each send ends, one way or another, within MAIL_TIMEOUT_MS. */
export class SmtpTransport {
  private readonly transporter;
  private readonly scrub: (text: string) => string;
  readonly where: string;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly timeoutMs: number,
    logger: Logger,
  ) {
    this.transporter = nodemailer.createTransport(transportOptions(smtpUrl, timeoutMs));
    this.scrub = secretScrubber(smtpUrl);
    this.where = describeSmtp(smtpUrl);
    // The pool reports connection errors of idle connections here; the next send meets them anyway.
    this.transporter.on('error', (err: SmtpErrorLike) =>
      logger.warn({ smtp: this.where, error: oneLine(this.scrub(`${err.code ?? ''} ${err.message ?? ''}`)) }, 'SMTP connection error'),
    );
  }

  /**
   * One attempt. `stop` aborts it when the service shuts down (the mail is then neither sent nor
   * failed); otherwise it is cut after MAIL_TIMEOUT_MS (a slow-dripping server included), which
   * counts as a temporary failure. Never throws.
   */
  async send(mail: OutgoingMail, stop: AbortSignal): Promise<SendResult> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    try {
      const info = await this.transporter.sendMail({
        from: this.from,
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId: mail.messageId,
        signal: AbortSignal.any([deadline, stop]),
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      return { kind: 'sent', reply: oneLine(this.scrub(info.response || '250 OK')) };
    } catch (err) {
      if (stop.aborted) return { kind: 'stopped' };
      if (deadline.aborted) return { kind: 'temporary', reply: `ETIMEDOUT: no answer from ${this.where} within ${this.timeoutMs} ms` };
      return classifySendError(err as SmtpErrorLike, this.scrub);
    }
  }

  close(): void {
    this.transporter.close();
  }
}
