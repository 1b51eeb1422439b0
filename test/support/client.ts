import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../generated/openapi';
import { h } from './hooks';

export type ApiClient = Client<paths>;

/**
 * The typed client an integrator would generate from the contract (openapi-fetch over
 * generated/openapi.d.ts): paths, parameters, bodies, answers and problem codes are all checked by
 * tsc. Every spec uses this; `rawRequest` in ./api.ts only sends what the contract forbids
 * (malformed JSON, wrong content types, unknown members, hostile headers). `baseUrl` names another
 * instance (a second service, a child process).
 */
export function client(token?: string, baseUrl: string = h().baseUrl): ApiClient {
  return createClient<paths>({ baseUrl, headers: token ? { authorization: `Bearer ${token}` } : {} });
}
