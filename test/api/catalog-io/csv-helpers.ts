import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { h } from '../../support/hooks';

export interface CsvAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

/** POST /api/v1/product-imports with a CSV body (text or bytes). */
export async function importCsv(
  token: string,
  body: string | Buffer,
  options: { query?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<CsvAnswer> {
  const qs = new URLSearchParams(options.query ?? {}).toString();
  const res = await fetch(`${h().baseUrl}/api/v1/product-imports${qs ? `?${qs}` : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', ...(options.headers ?? {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined };
}

/** GET an export; the body as text (BOM kept). */
export async function exportCsv(
  token: string,
  path: '/api/v1/products/export' | '/api/v1/orders/export',
  query: Record<string, string | string[]> = {},
): Promise<CsvAnswer> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
  const res = await fetch(`${h().baseUrl}${path}${params.size ? `?${params}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  return { status: res.status, headers: res.headers, text, json: (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : undefined };
}

/** A prefix of SKUs no other test uses, so a category filter or SKU search finds this test's rows only. */
export function freshPrefix(): string {
  return `IMP-${randomUUID().slice(0, 8).toUpperCase()}`;
}

/** Lines of an exported CSV (BOM removed), CRLF-separated, last empty line dropped. */
export function lines(csv: string): string[] {
  return csv
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter((l, i, all) => !(i === all.length - 1 && l === ''));
}

/** Exports a category's products and imports the file back, in both dialects: nothing may change. */
export async function expectRoundTrip(token: string, category: string, rows: number): Promise<void> {
  for (const dialect of ['excel-it', 'rfc4180']) {
    const out = await exportCsv(token, '/api/v1/products/export', { dialect, category });
    expect(out.status).to.equal(200);
    const back = await importCsv(token, out.text, { query: { dialect } });
    expect(back.status, back.text).to.equal(201);
    expect(back.json, dialect).to.deep.equal({ rows, created: 0, updated: 0, unchanged: rows, errors: [] });
  }
}
