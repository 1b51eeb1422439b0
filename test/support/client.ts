import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../generated/openapi';
import { h } from './hooks';

export type ApiClient = Client<paths>;

/**
 * The typed client an integrator would generate from the contract (openapi-fetch over
 * generated/openapi.d.ts): paths, parameters, bodies, answers and problem codes are all checked by
 * tsc. New tests use this; `api()` in ./api.ts stays only for requests the contract forbids
 * (malformed JSON, wrong content types, hostile headers).
 */
export function client(token?: string, baseUrl: string = h().baseUrl): ApiClient {
  return createClient<paths>({ baseUrl, headers: token ? { authorization: `Bearer ${token}` } : {} });
}
