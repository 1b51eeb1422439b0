import type { Server } from 'socket.io';
import type { PatchDeclaration } from './versions';

/**
 * What `realtime/one-write.ts` touches of Engine.IO's WebSocket transport: `name` and `writable` are
 * public fields of engine.io's Transport, 'ready' is the event the transport itself emits when a
 * write has completed (its Engine.IO socket then flushes what was buffered meanwhile), reached through
 * socket.io's `socket.conn.transport`; `socket._socket` is the private net.Socket of the ws WebSocket,
 * optional here so that without it only the corking is lost.
 */
export const ENGINE_IO_PATCHES: PatchDeclaration = {
  file: 'src/platform/patches/engine-io.ts',
  dependencies: [
    { name: 'engine.io', via: ['socket.io'], range: '>=6.6 <6.7' },
    // Only the optional `_socket`: any 8.x from the one checked.
    { name: 'ws', via: ['socket.io', 'engine.io'], range: '>=8.21 <9' },
  ],
};

interface EngineTransport {
  name: string;
  writable: boolean;
  emit(event: 'ready'): boolean;
  socket?: { _socket?: { cork?: () => void; uncork?: () => void } };
}

/**
 * Marks every writable WebSocket transport of `io` not writable, so that what is emitted meanwhile
 * waits in each Engine.IO socket's buffer; the function returned releases them, each with its net
 * socket corked, so each buffer leaves in one write.
 */
export function holdWebSocketWrites(io: Server): () => void {
  const held: EngineTransport[] = [];
  for (const socket of io.sockets.sockets.values()) {
    const transport = socket.conn.transport as unknown as EngineTransport;
    if (transport.name !== 'websocket' || !transport.writable) continue;
    transport.writable = false;
    held.push(transport);
  }
  return () => {
    for (const transport of held) {
      const raw = transport.socket?._socket;
      raw?.cork?.();
      transport.writable = true;
      transport.emit('ready');
      raw?.uncork?.();
    }
  };
}
