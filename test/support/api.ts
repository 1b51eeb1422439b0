import { randomUUID } from 'node:crypto';
import type { components } from '../../generated/openapi';
import { client } from './client';
import { h, ADMIN } from './hooks';

export type Schemas = components['schemas'];
export type Product = Schemas['Product'];
export type Order = Schemas['Order'];
export type User = Schemas['User'];
export type TokenPair = Schemas['TokenPair'];
export type Problem = Schemas['Problem'];

export interface RawResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RawRequestOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/**
 * Sends a request the typed client cannot express because the contract forbids it: malformed JSON,
 * wrong content types, unknown properties, hostile headers, paths outside the contract. The body
 * comes back `unknown`: a test narrows what it reads. Everything else goes through `client()`.
 */
export async function rawRequest(method: string, path: string, options: RawRequestOptions = {}): Promise<RawResponse> {
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
  return { status: res.status, headers: res.headers, body: parsed };
}

/** A problem body read from a raw answer (the fields every problem carries, and the extensions). */
export function problemOf(res: RawResponse): Partial<Problem> {
  return (res.body ?? {}) as Partial<Problem>;
}

/** The answer's data, or a thrown error naming the status and the problem (for arranging tests). */
export function ok<T>(res: { data?: T; error?: unknown; response: Response }): T {
  if (res.data === undefined) throw new Error(`${res.response.url}: ${res.response.status} ${JSON.stringify(res.error)}`);
  return res.data;
}

export async function login(email: string, password: string): Promise<TokenPair> {
  const res = await client().POST('/api/v1/auth/login', { body: { email, password } });
  if (!res.data) throw new Error(`login failed for ${email}: ${res.response.status} ${JSON.stringify(res.error)}`);
  return res.data;
}

let adminToken: { token: string; renewAt: number } | undefined;
/** The suite admin's access token, signed in again a minute before it expires (a slow run outlives one). */
export async function adminToken_(): Promise<string> {
  if (!adminToken || Date.now() >= adminToken.renewAt) {
    const pair = await login(ADMIN.email, ADMIN.password);
    adminToken = { token: pair.accessToken, renewAt: Date.now() + (pair.expiresIn - 60) * 1000 };
  }
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
export async function createUser(role: Schemas['Role'], overrides: { email?: string; name?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? `${role}-${randomUUID()}@example.test`;
  const password = `password-${randomUUID()}`;
  const res = await client(await adminToken_()).POST('/api/v1/users', {
    body: { email, password, name: overrides.name ?? `Test ${role}`, role },
  });
  if (!res.data) throw new Error(`createUser failed: ${res.response.status} ${JSON.stringify(res.error)}`);
  const tokens = await login(email, password);
  return { id: res.data.id, email, password, token: tokens.accessToken, refreshToken: tokens.refreshToken };
}

export const operator = () => createUser('operator');
export const customer = () => createUser('customer');

let skuCounter = 0;
export async function createProduct(overrides: Partial<Schemas['CreateProductRequest']> = {}): Promise<Product> {
  skuCounter += 1;
  const res = await client(await adminToken_()).POST('/api/v1/products', {
    body: {
      sku: `SKU-${Date.now().toString(36)}-${skuCounter}`,
      name: `Product ${skuCounter}`,
      unitPriceCents: 1000,
      initialStock: 100,
      ...overrides,
    },
  });
  if (!res.data) throw new Error(`createProduct failed: ${res.response.status} ${JSON.stringify(res.error)}`);
  return res.data;
}

/** A supplier through the API (a unique name; pass a `vatNumber` to test one). */
export async function createSupplier(token: string, overrides: Partial<Schemas['CreateSupplierRequest']> = {}): Promise<Schemas['Supplier']> {
  skuCounter += 1;
  return ok(await client(token).POST('/api/v1/suppliers', { body: { name: `Fornitore ${randomUUID().slice(0, 8)} ${skuCounter}`, ...overrides } }));
}

export const ADDRESS = {
  name: 'Ufficio Rossi Srl',
  line1: 'Via Roma 1',
  city: 'Milano',
  postalCode: '20121',
  province: 'MI',
  country: 'IT',
} satisfies Schemas['Address'];

/** Places an order through the typed client; `extra` holds the other members of the request. */
export async function placeOrder(
  token: string,
  items: Schemas['OrderLineRequest'][],
  extra: Partial<Omit<Schemas['CreateOrderRequest'], 'items'>> = {},
  headers: Record<string, string> = {},
) {
  return client(token).POST('/api/v1/orders', { body: { items, shippingAddress: ADDRESS, ...extra }, headers });
}

/** Places an order that must be accepted (arranging a test) and returns it. */
export async function placedOrder(
  token: string,
  items: Schemas['OrderLineRequest'][],
  extra: Partial<Omit<Schemas['CreateOrderRequest'], 'items'>> = {},
): Promise<Order> {
  return ok(await placeOrder(token, items, extra));
}
