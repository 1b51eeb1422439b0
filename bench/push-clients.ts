/**
 * A child process of the push-latency bench: opens `count` operator sockets and stamps the receipt
 * of each `order.status_changed` (to `paid`) with the wall clock at sub-millisecond precision
 * (performance.timeOrigin + performance.now(), comparable across processes of one machine; the
 * parent also measures the offset over IPC). The parent forks a few of these so that no single
 * event loop has to decode a broadcast 1,000 times before the last socket's receipt is stamped.
 *
 * IPC, parent → child: { kind: 'start', baseUrl, token, count } once, then { kind: 'clock' } probes
 * and { kind: 'stop' }. Child → parent: { kind: 'ready' }, { kind: 'clock', at }, and
 * { kind: 'received', orderId, at: number[] } once all `count` sockets got that order's change.
 */
import { io, type Socket } from 'socket.io-client';

export type ParentMessage = { kind: 'start'; baseUrl: string; token: string; count: number } | { kind: 'clock' } | { kind: 'stop' };
export type ChildMessage =
  { kind: 'ready' } | { kind: 'failed'; error: string } | { kind: 'clock'; at: number } | { kind: 'received'; orderId: string; at: number[] };

/** Wall-clock milliseconds with sub-millisecond precision. */
export const wallClock = (): number => performance.timeOrigin + performance.now();

const send = (message: ChildMessage) => process.send?.(message);
const sockets: Socket[] = [];

async function open(baseUrl: string, token: string, count: number): Promise<void> {
  const receipts = new Map<string, number[]>();
  await Promise.all(
    Array.from({ length: count }, () => {
      const socket = io(baseUrl, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
      sockets.push(socket);
      socket.on('order.status_changed', (event: { data: { orderId: string; to: string } }) => {
        if (event.data.to !== 'paid') return;
        const at = wallClock();
        const list = receipts.get(event.data.orderId) ?? [];
        list.push(at);
        receipts.set(event.data.orderId, list);
        if (list.length === count) {
          receipts.delete(event.data.orderId);
          send({ kind: 'received', orderId: event.data.orderId, at: list });
        }
      });
      return new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
    }),
  );
}

process.on('message', (message: ParentMessage) => {
  if (message.kind === 'clock') send({ kind: 'clock', at: wallClock() });
  if (message.kind === 'start') {
    open(message.baseUrl, message.token, message.count).then(
      () => send({ kind: 'ready' }),
      (err: Error) => send({ kind: 'failed', error: err.message }),
    );
  }
  if (message.kind === 'stop') {
    for (const socket of sockets) socket.close();
    process.disconnect?.();
  }
});
