import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';

/**
 * A real SMTP server inside the test process (the nodemailer project's own `smtp-server`), parsing
 * what it receives with `mailparser`. By default it accepts everything (with or without AUTH, no
 * STARTTLS offered: it listens on loopback only). A test scripts its answers:
 *
 *   smtp.failNext(421, 2)     the next two messages get `421` (a temporary failure)
 *   smtp.failNext(550, 1, 'a@example.test')   the next message to that address gets `550` (others pass)
 *   smtp.rejectRecipient(550, 'bounce@example.com')   that address is refused at RCPT TO
 *   smtp.hang()               every command after the connection's greeting waits forever (until resume())
 *   smtp.down()               connections are refused at once with `421` (until up())
 *
 * Every message that was accepted (`250`) is in `received`, parsed; `attempts` counts every DATA
 * that reached the server, accepted or not. `stop()` closes every connection, hanging ones too.
 */
export interface ReceivedMail {
  parsed: ParsedMail;
  raw: string;
  envelopeFrom: string;
  envelopeTo: string[];
  authUser: string | null;
}

export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];
  /** Message-IDs of every DATA that reached the server, in order, accepted or refused. */
  readonly attempts: string[] = [];
  private failures: { code: number; left: number; to: string | null }[] = [];
  private readonly rejected = new Map<string, number>();
  private hanging = false;
  private isDown = false;
  private readonly waiters = new Set<() => void>();
  private readonly pending = new Set<() => void>();
  private server: SMTPServer | null = null;
  port = 0;

  constructor(private readonly options: { user?: string; password?: string } = {}) {}

  /** `smtp://…@127.0.0.1:<port>` for SMTP_URL (with the credentials when the server requires them). */
  get url(): string {
    const auth = this.options.user ? `${encodeURIComponent(this.options.user)}:${encodeURIComponent(this.options.password ?? '')}@` : '';
    return `smtp://${auth}127.0.0.1:${this.port}`;
  }

  async start(port = 0): Promise<this> {
    const server = new SMTPServer({
      secure: false,
      disabledCommands: this.options.user ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !this.options.user,
      allowInsecureAuth: true,
      logger: false,
      closeTimeout: 100,
      size: 10 * 1024 * 1024,
      onConnect: (_session, callback) => {
        if (this.isDown) return callback(smtpError(421, 'Service not available, closing transmission channel'));
        return this.maybeHang(() => callback());
      },
      onAuth: (auth: SMTPServerAuthentication, _session, callback) => {
        if (auth.username === this.options.user && auth.password === this.options.password) return callback(null, { user: auth.username });
        return callback(smtpError(535, 'Authentication credentials invalid'));
      },
      onMailFrom: (_address, _session, callback) => this.maybeHang(() => callback()),
      onRcptTo: (address, _session, callback) => {
        const code = this.rejected.get(address.address.toLowerCase());
        if (code !== undefined) return callback(smtpError(code, `Recipient ${address.address} refused`));
        return this.maybeHang(() => callback());
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          void this.accept(raw, session).then(
            () => callback(),
            (err: Error) => callback(err),
          );
        });
      },
    });
    server.on('error', () => undefined);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    return this;
  }

  /**
   * The next `count` messages are answered `code` after DATA (e.g. 421: retried; 550: failed); with
   * `to`, only messages to that address (so a spec sharing the server with others fails only its own).
   */
  failNext(code: number, count = 1, to?: string): void {
    const only = to?.toLowerCase() ?? null;
    this.failures = this.failures.filter((f) => f.to !== only);
    this.failures.push({ code, left: count, to: only });
  }

  rejectRecipient(code: number, address: string): void {
    this.rejected.set(address.toLowerCase(), code);
  }

  /** From now on the server answers nothing after the greeting: a client waits for its timeout. */
  hang(): void {
    this.hanging = true;
  }

  /** Answers what hung, and stops hanging. */
  resume(): void {
    this.hanging = false;
    for (const release of this.pending) release();
    this.pending.clear();
  }

  /** Refuses every new connection with 421 until `up()`. */
  down(): void {
    this.isDown = true;
  }

  up(): void {
    this.isDown = false;
  }

  /** Waits until `count` mails matching `match` were received (default: any), or throws after `timeoutMs`. */
  async waitFor(count: number, match: (mail: ReceivedMail) => boolean = () => true, timeoutMs = 15_000): Promise<ReceivedMail[]> {
    const found = () => this.received.filter(match);
    if (found().length >= count) return found();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (found().length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(found());
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`expected ${count} mail(s), got ${found().length} of ${this.received.length} received in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  /** Mails sent to `address` (case-insensitive). */
  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.envelopeTo.includes(address.toLowerCase()));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    this.resume();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private maybeHang(proceed: () => void): void {
    if (!this.hanging) return proceed();
    this.pending.add(proceed);
  }

  private async accept(raw: string, session: SMTPServerSession): Promise<void> {
    const parsed = await simpleParser(raw);
    this.attempts.push(parsed.messageId ?? '');
    if (this.hanging) await new Promise<void>((resolve) => this.pending.add(resolve));
    const recipients = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
    const failure = this.failures.find((f) => f.left > 0 && (f.to === null || recipients.includes(f.to)));
    if (failure) {
      failure.left -= 1;
      throw smtpError(failure.code, failure.code >= 500 ? 'Message rejected' : 'Try again later');
    }
    this.received.push({
      parsed,
      raw,
      envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
      envelopeTo: recipients,
      authUser: typeof session.user === 'string' ? session.user : null,
    });
    for (const waiter of [...this.waiters]) waiter();
  }
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

/** A started server; `after` stops it. */
export async function startTestSmtpServer(options: { user?: string; password?: string } = {}): Promise<TestSmtpServer> {
  return new TestSmtpServer(options).start();
}
