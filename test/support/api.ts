import { randomUUID } from 'node:crypto';
import { h, ADMIN } from './hooks';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** Talks HTTP to the started service, as an integrator would. */
export async function api<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${h().baseUrl}${path}`, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  if (text && (res.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export async function login(email: string, password: string): Promise<{ accessToken: string; refreshToken: string }> {
  const res = await api('POST', '/api/v1/auth/login', { body: { email, password } });
  if (res.status !== 200) throw new Error(`login failed for ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The suite's admin token, signed in again before it expires (access tokens last 15 minutes; the suite runs longer). */
let adminToken: { token: string; at: number } | undefined;
export async function adminToken_(): Promise<string> {
  if (!adminToken || Date.now() - adminToken.at > 10 * 60_000) adminToken = { token: (await login(ADMIN.email, ADMIN.password)).accessToken, at: Date.now() };
  return adminToken.token;
}
export { adminToken_ as asAdmin };

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

/** Creates a user of the given role through the admin API and signs it in. */
export async function createUser(role: 'admin' | 'operator' | 'customer', overrides: { email?: string; name?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? `${role}-${randomUUID()}@example.test`;
  const password = `password-${randomUUID()}`;
  const res = await api('POST', '/api/v1/users', {
    token: await adminToken_(),
    body: { email, password, name: overrides.name ?? `Test ${role}`, role },
  });
  if (res.status !== 201) throw new Error(`createUser failed: ${res.status} ${JSON.stringify(res.body)}`);
  const tokens = await login(email, password);
  return { id: res.body.id, email, password, token: tokens.accessToken, refreshToken: tokens.refreshToken };
}

export const operator = () => createUser('operator');
export const customer = () => createUser('customer');

let skuCounter = 0;
export async function createProduct(
  overrides: Partial<{ sku: string; name: string; unitPriceCents: number; vatRate: number; reorderLevel: number; initialStock: number; category: string }> = {},
): Promise<any> {
  skuCounter += 1;
  const res = await api('POST', '/api/v1/products', {
    token: await adminToken_(),
    body: {
      sku: `SKU-${Date.now().toString(36)}-${skuCounter}`,
      name: `Product ${skuCounter}`,
      unitPriceCents: 1000,
      initialStock: 100,
      ...overrides,
    },
  });
  if (res.status !== 201) throw new Error(`createProduct failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export const ADDRESS = { name: 'Ufficio Rossi Srl', line1: 'Via Roma 1', city: 'Milano', postalCode: '20121', province: 'MI', country: 'IT' };

export async function placeOrder(token: string, items: { productId: string; quantity: number }[], extra: Record<string, unknown> = {}) {
  return api('POST', '/api/v1/orders', { token, body: { items, shippingAddress: ADDRESS, ...extra } });
}
