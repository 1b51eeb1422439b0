/**
 * Whether a URL may be stored and later shown as a link: only https: (and http: when `allowHttp`,
 * i.e. outside production), with a host and no credentials. `javascript:`, `data:` and the like
 * would run in the page of whoever clicks it.
 */
export function isStorableUrl(raw: string, allowHttp: boolean): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  const schemeOk = url.protocol === 'https:' || (allowHttp && url.protocol === 'http:');
  return schemeOk && url.hostname !== '' && url.username === '' && url.password === '';
}

/** A provider's URL if it is storable, else null (a bad link is dropped, the shipment is kept). */
export function storableUrlOrNull(raw: string | null | undefined): string | null {
  return raw && isStorableUrl(raw, false) ? raw : null;
}
