import type { components } from '../../../generated/openapi';
import { t } from './i18n';
import { describeProblem, type Problem } from './problem-text';

export type User = components['schemas']['User'];
type TokenPair = components['schemas']['TokenPair'];

const API = '/api/v1';
/** Refresh this long before the access token expires, so requests never meet an expired one. */
const REFRESH_MARGIN_S = 60;

/**
 * A query string the API accepts: URLSearchParams writes a space as "+", which the contract's
 * validator refuses as a reserved character (400), so spaces go as "%20" (a literal "+" is already "%2B").
 */
export const queryString = (params: URLSearchParams): string => params.toString().replace(/\+/g, '%20');

/** A failed request, with the server's problem (RFC 9457) in plain words in `message`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problem?: Partial<Problem>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function send(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  try {
    return await fetch(API + path, {
      method,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, t('problem.network'));
  }
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

async function failure(res: Response): Promise<ApiError> {
  const problem = (await readBody(res)) as Partial<Problem> | undefined;
  return new ApiError(res.status, describeProblem(problem, res.status), problem);
}

/**
 * The signed-in operator's session. Tokens live only in memory (a reload signs out: nothing for
 * another script or user of the machine to steal from storage); the access token is refreshed
 * silently before it expires, and once more when a request meets a 401.
 */
export class Session {
  user: User | undefined;
  private accessToken: string | undefined;
  private refreshToken: string | undefined;
  private refreshing: Promise<boolean> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Called once when the session ends by itself (refresh refused: signed out elsewhere, disabled, expired). */
  onEnded: (reason: string) => void = () => undefined;
  /** Called after every successful refresh. */
  onRefreshed: () => void = () => undefined;

  get token(): string | undefined {
    return this.accessToken;
  }

  /** Signs in; a customer account is refused (and its fresh session revoked), told the console is for staff. */
  async signIn(email: string, password: string): Promise<User> {
    const res = await send('POST', '/auth/login', { email, password }, {});
    if (!res.ok) throw await failure(res);
    this.store((await readBody(res)) as TokenPair);
    const user = await this.request<User>('GET', '/auth/me');
    if (user.role === 'customer') {
      await this.signOut();
      throw new ApiError(403, t('signIn.staffOnly'));
    }
    this.user = user;
    return user;
  }

  /** Revokes the session on the server (best effort) and forgets the tokens. */
  async signOut(): Promise<void> {
    const { refreshToken, accessToken } = this;
    this.clear();
    if (refreshToken && accessToken) {
      await send('POST', '/auth/logout', { refreshToken }, { authorization: `Bearer ${accessToken}` }).catch(() => undefined);
    }
  }

  /** Rotates the refresh token into a new pair; concurrent callers share one request. False when the session is over. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Calls the REST API as the signed-in user; a 401 gets one silent refresh and retry. */
  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    return (await this.exchange<T>(method, path, body, headers)).body;
  }

  /** As `request`, with the response's ETag (for a later `If-Match`). */
  async exchange<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ body: T; etag: string | null }> {
    let res = await send(method, path, body, this.authHeaders(headers));
    if (res.status === 401 && this.refreshToken && (await this.refresh())) {
      res = await send(method, path, body, this.authHeaders(headers));
    }
    if (!res.ok) throw await failure(res);
    return { body: (await readBody(res)) as T, etag: res.headers.get('etag') };
  }

  /** A GET of a file (a PDF) as the signed-in user, as a Blob. */
  async download(path: string): Promise<Blob> {
    let res = await send('GET', path, undefined, this.authHeaders({}));
    if (res.status === 401 && this.refreshToken && (await this.refresh())) res = await send('GET', path, undefined, this.authHeaders({}));
    if (!res.ok) throw await failure(res);
    return res.blob();
  }

  private authHeaders(headers: Record<string, string>): Record<string, string> {
    return this.accessToken ? { ...headers, authorization: `Bearer ${this.accessToken}` } : headers;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = this.refreshToken;
    if (!refreshToken) return false;
    let res: Response;
    try {
      res = await send('POST', '/auth/refresh', { refreshToken }, {});
    } catch {
      // Offline: keep the session, try again soon.
      this.schedule(15);
      return false;
    }
    if (!res.ok) {
      if (res.status === 401 || res.status === 400) this.end(t('signIn.ended'));
      else this.schedule(15);
      return false;
    }
    this.store((await readBody(res)) as TokenPair);
    this.onRefreshed();
    return true;
  }

  private store(pair: TokenPair): void {
    this.accessToken = pair.accessToken;
    this.refreshToken = pair.refreshToken;
    this.schedule(Math.max(5, pair.expiresIn - REFRESH_MARGIN_S));
  }

  private schedule(seconds: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), seconds * 1000);
  }

  private end(reason: string): void {
    const wasSignedIn = this.refreshToken !== undefined;
    this.clear();
    if (wasSignedIn) this.onEnded(reason);
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.accessToken = undefined;
    this.refreshToken = undefined;
    this.user = undefined;
  }
}
