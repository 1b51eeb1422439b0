/** What a fake does instead of answering normally, one per request, in order. */
export type Fault = { status: number; body?: unknown } | { delayMs: number } | { redirect: string } | { garbage: true } | { oversizedBytes: number };

export type NockReply = [number, string | Record<string, unknown>, Record<string, string>?];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Plays the next queued fault; undefined means answer normally. */
export async function playFault(faults: Fault[], errorBody: (status: number) => unknown): Promise<NockReply | undefined> {
  const fault = faults.shift();
  if (!fault) return undefined;
  if ('delayMs' in fault) {
    await sleep(fault.delayMs);
    return undefined;
  }
  if ('redirect' in fault) return [302, '', { location: fault.redirect }];
  if ('garbage' in fault) return [200, '<html>not json', { 'content-type': 'application/json' }];
  if ('oversizedBytes' in fault) return [200, JSON.stringify({ id: 'x', padding: 'x'.repeat(fault.oversizedBytes) }), { 'content-type': 'application/json' }];
  return [fault.status, JSON.stringify(fault.body ?? errorBody(fault.status)), { 'content-type': 'application/json' }];
}
