import { int, invalid, str, withoutCredentials, type Env } from './env-readers';
import { delaySchedule } from './webhook-settings';

/** Customer mail and account recovery (issue 26): the SMTP_*, MAIL_* and PASSWORD_RESET_* settings. */
export interface MailSettings {
  /** `smtp://user:pass@host:587` or `smtps://…:465`; null = mails are recorded as `skipped`, never sent. Never logged. */
  readonly smtpUrl: string | null;
  /** The `From` of every mail, e.g. `QuickStock <ordini@quickstock.example>`. */
  readonly from: string;
  /** Delay before each retry of a temporary failure, in order (±20 % jitter); its length is the number of retries. */
  readonly retryScheduleMs: readonly number[];
  /** How long one SMTP attempt may take before it counts as a timeout (a temporary failure). */
  readonly timeoutMs: number;
  /** How often the fan-out and the sender look for work besides being woken by commits. */
  readonly pollMs: number;
  /** The reset link; `{token}` is replaced by the token. Default `${PUBLIC_URL}/console/password-reset#token={token}`. */
  readonly passwordResetUrl: string;
  /** Password-reset requests per client address per 15 minutes (429 beyond; 0 = no limit). */
  readonly passwordResetPer15Minutes: number;
  /** Sent and skipped mails older than this are purged by the housekeeper (failed ones too). */
  readonly logRetentionDays: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 1 min, 5 min, 15 min, 1 h, 3 h, 6 h, 12 h, 24 h (issue 26). */
export const DEFAULT_MAIL_RETRY_SCHEDULE_MS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True when the SMTP server is on this machine (plain `smtp://` without STARTTLS is then allowed). */
export function isLoopbackSmtp(smtpUrl: string): boolean {
  const host = new URL(smtpUrl).hostname;
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function smtpUrl(env: Env): string | null {
  const raw = str(env, 'SMTP_URL');
  if (raw === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return invalid(env, 'SMTP_URL', `must be a URL like smtp://user:pass@host:587 or smtps://user:pass@host:465, got "${withoutCredentials(raw)}"`, null);
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') {
    return invalid(env, 'SMTP_URL', `must use smtp: (STARTTLS) or smtps: (TLS), got "${parsed.protocol}"`, null);
  }
  if (parsed.hostname === '') return invalid(env, 'SMTP_URL', 'must name a host', null);
  return raw;
}

/** `Name <address>` or a bare address; no line breaks (a header must not be injectable from the environment either). */
function mailFrom(env: Env, publicUrl: string | null): string {
  const raw = str(env, 'MAIL_FROM');
  if (raw === undefined) return `QuickStock <noreply@${publicUrl ? new URL(publicUrl).hostname : 'localhost'}>`;
  if (/[\r\n]/.test(raw) || !/^(?:[^<>@]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(raw.trim())) {
    return invalid(
      env,
      'MAIL_FROM',
      `must be an address like "QuickStock <ordini@quickstock.example>" or ordini@quickstock.example, got "${raw}"`,
      'QuickStock <noreply@localhost>',
    );
  }
  return raw.trim();
}

function passwordResetUrl(env: Env, publicUrl: string | null): string {
  const raw = str(env, 'PASSWORD_RESET_URL');
  if (raw === undefined) return `${publicUrl ?? 'http://localhost:3000'}/console/password-reset#token={token}`;
  let parsed: URL | null = null;
  try {
    parsed = new URL(raw.replace('{token}', 'TOKEN'));
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || !raw.includes('{token}')) {
    return invalid(env, 'PASSWORD_RESET_URL', `must be an http(s) URL holding {token}, e.g. https://shop.example/reset#token={token}, got "${raw}"`, '');
  }
  return raw;
}

export function mailSettings(env: Env, options: { publicUrl: string | null }): MailSettings {
  const url = smtpUrl(env);
  if (url !== null && options.publicUrl === null) {
    invalid(env, 'SMTP_URL', "needs PUBLIC_URL: the links in mails must not come from a request's Host header", null);
  }
  return {
    smtpUrl: url,
    from: mailFrom(env, options.publicUrl),
    retryScheduleMs: delaySchedule(env, 'MAIL_RETRY_SCHEDULE_MS', DEFAULT_MAIL_RETRY_SCHEDULE_MS),
    timeoutMs: int(env, 'MAIL_TIMEOUT_MS', 30_000, 100, 600_000),
    pollMs: int(env, 'MAIL_POLL_MS', 1000, 10, 60_000),
    passwordResetUrl: passwordResetUrl(env, options.publicUrl),
    passwordResetPer15Minutes: int(env, 'RATE_LIMIT_PASSWORD_RESET_PER_15_MINUTES', 10, 0, 1_000_000),
    logRetentionDays: int(env, 'MAIL_LOG_RETENTION_DAYS', 90, 1, 3650),
  };
}
