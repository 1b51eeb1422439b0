import { AsyncLocalStorage } from 'node:async_hooks';

/** Per-request values that every log line and problem response needs, without threading them through calls. */
export interface RequestContext {
  requestId: string;
}

export const requestContext = new AsyncLocalStorage<RequestContext>();

export function currentRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}
