import type { Server } from 'socket.io';
import { holdWebSocketWrites } from '../platform/patches';

/**
 * Runs `emitAll` (synchronous emits to rooms) so that each local WebSocket client receives all of
 * it in one write: a status change emits two events to every operator (payment.updated, then
 * order.status_changed), and with 1,000 sockets a write (one system call) per socket per event is
 * most of the dispatcher's time. Each writable transport is held (not writable) while the emits
 * queue their packets in its Engine.IO buffer, then released with its net socket corked, so the
 * buffered frames leave in one writev. The frames, their order and who gets them are unchanged.
 * How a transport is held reaches into Engine.IO: `platform/patches/engine-io.ts`.
 */
export function inOneWritePerSocket(io: Server, emitAll: () => void): void {
  const release = holdWebSocketWrites(io);
  try {
    emitAll();
  } finally {
    release();
  }
}
