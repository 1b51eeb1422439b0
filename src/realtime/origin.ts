/**
 * The handshake's Origin check. Browsers always send Origin on a WebSocket or cross-site request:
 * it must be this service itself (the staff console) or one of CORS_ORIGINS. A client that sends
 * no Origin is not a browser and cannot be a victim of cross-site requests; its token is what counts.
 */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (origin === undefined) return true;
  if (allowed.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return host !== undefined && (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.host === host && parsed.origin === origin;
}
