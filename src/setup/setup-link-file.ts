import { mkdirSync, openSync, closeSync, writeSync, rmSync } from 'node:fs';
import path from 'node:path';

/** Where the setup link goes when stdout is not a terminal. */
export function setupLinkFile(dataDir: string): string {
  return path.join(dataDir, 'setup-link.txt');
}

/**
 * Writes the link alone on a line to DATA_DIR/setup-link.txt, readable and writable by this user
 * only (0600). The file is created afresh (never reused), so the mode of an older one — or a link
 * planted in its place — cannot widen who reads it.
 */
export function writeSetupLinkFile(dataDir: string, url: string): string {
  const file = setupLinkFile(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  rmSync(file, { force: true });
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, `${url}\n`);
  } finally {
    closeSync(fd);
  }
  return file;
}

/** Once an admin exists the link is spent: its file goes too. */
export function removeSetupLinkFile(dataDir: string): void {
  rmSync(setupLinkFile(dataDir), { force: true });
}
