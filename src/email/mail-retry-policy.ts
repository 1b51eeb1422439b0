/**
 * What one SMTP attempt came to, as far as the mail's next state is concerned: sent; a temporary
 * failure (retried on MAIL_RETRY_SCHEDULE_MS); a permanent one (failed at once); or cut short by
 * the service stopping (neither: the mail is released untouched, to be sent by whoever runs next).
 */
export type SendResult = { kind: 'sent'; reply: string } | { kind: 'temporary'; reply: string } | { kind: 'permanent'; reply: string } | { kind: 'stopped' };

/** The fields of a nodemailer error this policy reads (nodemailer's NodemailerError). */
export interface SmtpErrorLike {
  code?: string | undefined;
  responseCode?: number | undefined;
  response?: string | undefined;
  message?: string | undefined;
}

/** What the mail log keeps of a reply (the AsyncAPI `lastReply` allows 1,000 characters). */
export const MAX_REPLY_LENGTH = 1000;

/**
 * Nodemailer codes that speak of our own set-up, not of the message: wrong or missing credentials,
 * a bad configuration. Every mail would meet them, and each goes once the operator has fixed the
 * setting, so they are retried like an outage, never failed at once (although AUTH answers 535).
 */
const SETUP_ERRORS = new Set(['EAUTH', 'ENOAUTH', 'EOAUTH2', 'ECONFIG']);

/**
 * RFC 5321: a 5yz reply is a permanent refusal (at DATA, or to the recipient at RCPT TO), a 4yz a
 * transient one. 503 ("bad sequence of commands") is the exception nodemailer also makes: the
 * session was in the wrong state, the message itself was not refused. Anything without a reply —
 * a timeout, a dropped or refused connection, a failed TLS upgrade — is temporary.
 */
export function classifySendError(err: SmtpErrorLike, scrub: (text: string) => string = (t) => t): Exclude<SendResult, { kind: 'sent' | 'stopped' }> {
  const code = err.responseCode;
  const reply = oneLine(scrub(code !== undefined && err.response ? err.response : `${err.code ?? 'ERROR'}: ${err.message ?? 'unknown error'}`));
  if (err.code !== undefined && SETUP_ERRORS.has(err.code)) return { kind: 'temporary', reply };
  if (code !== undefined && code >= 500 && code < 600 && code !== 503) return { kind: 'permanent', reply };
  return { kind: 'temporary', reply };
}

/** A reply on one line, within what the log keeps. */
export function oneLine(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .trim()
    .slice(0, MAX_REPLY_LENGTH);
}

const JITTER = 0.2;

/**
 * The delay before the next attempt, or null when the schedule is spent (the mail then fails).
 * `attempts` counts the attempts made, this one included: after the first failure the mail waits
 * schedule[0]. ±20 % jitter, so that mails held back by one outage do not all come back at once.
 */
export function retryDelayMs(attempts: number, schedule: readonly number[], random: () => number = Math.random): number | null {
  const step = schedule[attempts - 1];
  return step === undefined ? null : Math.round(step * (1 - JITTER + 2 * JITTER * random()));
}
