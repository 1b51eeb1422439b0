import { readFileSync } from 'node:fs';
import path from 'node:path';
import { io, type Socket } from 'socket.io-client';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { h } from './hooks';

export interface ReceivedEvent {
  name: string;
  payload: any;
}

/** A connected Socket.IO client that records what it receives, as an operator's client would. */
export interface TestSocket {
  socket: Socket;
  received: ReceivedEvent[];
  /** Resolves with the first recorded event (past or future) matching `match`. */
  next(match: (e: ReceivedEvent) => boolean, timeoutMs?: number, what?: string): Promise<ReceivedEvent>;
  /** Resolves when the server disconnects the socket, with the reason. */
  disconnected(timeoutMs?: number): Promise<string>;
  close(): void;
}

export interface ConnectOptions {
  token?: unknown;
  lastEventId?: unknown;
  origin?: string;
  baseUrl?: string;
  query?: Record<string, string>;
  transports?: ('websocket' | 'polling')[];
}

function buildSocket(options: ConnectOptions): Socket {
  const auth: Record<string, unknown> = {};
  if (options.token !== undefined) auth['token'] = options.token;
  if (options.lastEventId !== undefined) auth['lastEventId'] = options.lastEventId;
  return io(options.baseUrl ?? h().baseUrl, {
    auth,
    query: options.query,
    transports: options.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 5000,
    extraHeaders: options.origin ? { origin: options.origin } : undefined,
  });
}

export function connectSocket(options: ConnectOptions): Promise<TestSocket> {
  const socket = buildSocket(options);
  const received: ReceivedEvent[] = [];
  const waiters = new Set<() => void>();
  socket.onAny((name: string, payload: unknown) => {
    received.push({ name, payload });
    for (const wake of [...waiters]) wake();
  });
  let disconnectReason: string | undefined;
  socket.on('disconnect', (reason) => {
    disconnectReason = reason;
    for (const wake of [...waiters]) wake();
  });
  const wait = <T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received: ${received.map((e) => `${e.name}#${e.payload?.id}`).join(', ')}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const client: TestSocket = {
    socket,
    received,
    next: (match, timeoutMs = 5000, what = 'an event') => wait(() => received.find(match), timeoutMs, what),
    disconnected: (timeoutMs = 5000) => wait(() => disconnectReason, timeoutMs, 'a disconnect'),
    close: () => socket.close(),
  };
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(client));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** The handshake's refusal message (connect_error), or 'connected' when it was accepted. */
export async function handshakeOutcome(options: ConnectOptions): Promise<string> {
  try {
    const client = await connectSocket(options);
    client.close();
    return 'connected';
  } catch (err) {
    return (err as Error).message;
  }
}

let validators: Map<string, ValidateFunction> | undefined;

/** Validates a received message against the payload schema of its AsyncAPI message (by Socket.IO event name). */
export function asyncApiValidator(eventName: string): ValidateFunction {
  if (!validators) {
    const doc = JSON.parse(readFileSync(path.join(__dirname, '../../generated/asyncapi.json'), 'utf8'));
    const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(ajv);
    ajv.addSchema(doc, 'asyncapi.json');
    validators = new Map();
    for (const message of Object.values<any>(doc.components.messages)) {
      validators.set(message.name, ajv.compile({ $ref: `asyncapi.json${message.payload.$ref}` }));
    }
  }
  const validate = validators.get(eventName);
  if (!validate) throw new Error(`the AsyncAPI document has no message named ${eventName}`);
  return validate;
}

export function assertMatchesAsyncApi(event: ReceivedEvent): void {
  const validate = asyncApiValidator(event.name);
  if (!validate(event.payload)) {
    throw new Error(`${event.name} does not match the AsyncAPI schema: ${JSON.stringify(validate.errors)}\n${JSON.stringify(event.payload)}`);
  }
}
