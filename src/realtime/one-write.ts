import type { Server } from 'socket.io';

/**
 * What this module touches of Engine.IO's WebSocket transport: `name` and `writable` are public
 * fields of engine.io's Transport, 'ready' is the event the transport itself emits when a write has
 * completed (its Engine.IO socket then flushes what was buffered meanwhile); `socket._socket` is the
 * ws WebSocket's net.Socket, optional here so that without it only the corking is lost.
 */
interface EngineTransport {
  name: string;
  writable: boolean;
  emit(event: 'ready'): boolean;
  socket?: { _socket?: { cork?: () => void; uncork?: () => void } };
}

/**
 * Runs `emitAll` (synchronous emits to rooms) so that each local WebSocket client receives all of
 * it in one write: a status change emits two events to every operator (payment.updated, then
 * order.status_changed), and with 1,000 sockets a write (one system call) per socket per event is
 * most of the dispatcher's time. Each writable transport is held (not writable) while the emits
 * queue their packets in its Engine.IO buffer, then released with its net socket corked, so the
 * buffered frames leave in one writev. The frames, their order and who gets them are unchanged.
 */
export function inOneWritePerSocket(io: Server, emitAll: () => void): void {
  const held: EngineTransport[] = [];
  for (const socket of io.sockets.sockets.values()) {
    const transport = socket.conn.transport as unknown as EngineTransport;
    if (transport.name !== 'websocket' || !transport.writable) continue;
    transport.writable = false;
    held.push(transport);
  }
  try {
    emitAll();
  } finally {
    for (const transport of held) {
      const raw = transport.socket?._socket;
      raw?.cork?.();
      transport.writable = true;
      transport.emit('ready');
      raw?.uncork?.();
    }
  }
}
