import { isIP } from 'node:net';

/*
 * Readers of single settings. Each one checks its variable and, when it is bad, reports the problem
 * (naming the variable and what it expects) and returns a placeholder, so that loadConfig can go on
 * and name every bad setting at once.
 */
export interface ConfigProblem {
  readonly variable: string;
  /** What is wrong and what is expected, to follow the variable's name. */
  readonly message: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]);
  constructor(variable: string, message: string);
  constructor(first: readonly ConfigProblem[] | string, message?: string) {
    const problems = typeof first === 'string' ? [{ variable: first, message: message ?? 'is invalid' }] : first;
    const lines = problems.map((p) => `  - ${p.variable} ${p.message}`);
    super(`Invalid configuration (${problems.length} ${problems.length === 1 ? 'setting' : 'settings'}):\n${lines.join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }

  /** The first variable named (kept for callers that report one). */
  get variable(): string {
    return this.problems[0]?.variable ?? '';
  }
}

export type Env = Record<string, string | undefined>;

/** The problems found so far by the loadConfig call reading this env (helpers report, not throw). */
export const problemSinks = new WeakMap<Env, ConfigProblem[]>();

/** Records a bad setting and returns a placeholder so that checking can go on to the next one. */
export function invalid<T>(env: Env, variable: string, message: string, placeholder: T): T {
  const sink = problemSinks.get(env);
  if (!sink) throw new ConfigError(variable, message);
  sink.push({ variable, message });
  return placeholder;
}

export type TrustProxy = false | number | readonly string[];

export function str(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw)) return invalid(env, name, `must be an integer from ${min} to ${max}, got "${raw}"`, fallback);
  const value = Number(raw);
  if (value < min || value > max) return invalid(env, name, `must be an integer from ${min} to ${max}, got ${value}`, fallback);
  return value;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  if (['true', '1', 'yes'].includes(raw.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(raw.toLowerCase())) return false;
  return invalid(env, name, `must be true or false, got "${raw}"`, fallback);
}

export function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = str(env, name);
  if (raw === undefined) return fallback;
  const value = values.find((v) => v === raw.toLowerCase());
  return value ?? invalid(env, name, `must be one of ${values.join(', ')}, got "${raw}"`, fallback);
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * `true` would trust the left-most X-Forwarded-For, which the client writes: every throttle keyed
 * on the client address could then be dodged by rotating the header. Only a hop count or the
 * proxies' own addresses say which entry a trusted proxy wrote.
 */
export function trustProxy(env: Env, name: string): TrustProxy {
  const raw = str(env, name);
  if (raw === undefined || ['false', 'no'].includes(raw.toLowerCase())) return false;
  if (['true', 'yes'].includes(raw.toLowerCase())) {
    return invalid(
      env,
      name,
      "must be a hop count (e.g. 1) or the proxies' addresses/CIDRs (e.g. 10.0.0.0/8), not true: true trusts the client-written X-Forwarded-For",
      false,
    );
  }
  if (/^\d+$/.test(raw)) return int(env, name, 0, 0, 32) || false;
  const entries = raw
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (PROXY_NAMES.includes(entry)) continue;
    const [address = '', prefix, extra] = entry.split('/');
    const version = isIP(address);
    const maxPrefix = version === 6 ? 128 : 32;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= maxPrefix);
    if (version === 0 || !prefixOk || extra !== undefined) {
      return invalid(env, name, `contains "${entry}", which is not a hop count, an IP address, a CIDR or one of ${PROXY_NAMES.join(', ')}`, false);
    }
  }
  return entries;
}

export function url(env: Env, name: string, protocols: readonly string[]): string | null {
  const raw = str(env, name);
  if (raw === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return invalid(env, name, `must be a URL (${protocols.join(' or ')}), got "${withoutCredentials(raw)}"`, null);
  }
  if (!protocols.includes(parsed.protocol)) {
    return invalid(env, name, `must be a URL using ${protocols.join(' or ')}, got "${parsed.protocol}"`, null);
  }
  return raw;
}

/**
 * A URL that did not parse, for an error message: whatever sits between `//` and the last `@` (a
 * user name and password, as DATABASE_URL and REDIS_URL carry them) is masked, since the message
 * goes to the terminal and to the logs of whatever started the process.
 */
export function withoutCredentials(raw: string): string {
  return raw.includes('@') ? raw.replace(/^([^/]*\/\/)?.*@/s, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`) : raw;
}

export function keyPrefix(env: Env, name: string, fallback: string): string {
  const raw = str(env, name) ?? fallback;
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(raw)) return invalid(env, name, 'must be 1-64 letters, digits, ".", "_" or "-"', fallback);
  return raw;
}

export function metricsToken(env: Env, name: string): string | null {
  const raw = str(env, name);
  if (raw === undefined) return null;
  if (raw.length < 16 || /\s/.test(raw)) return invalid(env, name, 'must be at least 16 characters without spaces', null);
  return raw;
}

export function prefixedSecret(env: Env, name: string, prefixes: readonly string[]): string | null {
  const raw = str(env, name);
  if (raw === undefined) return null;
  if (!prefixes.some((p) => raw.startsWith(p))) return invalid(env, name, `must start with ${prefixes.join(' or ')}`, null);
  return raw;
}
