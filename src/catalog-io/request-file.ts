import type { Request } from 'express';
import { AppError } from '../platform/errors';

/**
 * Reads a request body of at most `maxBytes` into memory (a CSV import: at most IMPORT_MAX_BYTES).
 * Beyond the limit it answers 413 `payload-too-large`: at once when Content-Length says so, else as
 * soon as the count passes it. The rest of an oversized body is read and dropped (up to the limit
 * again, then the connection is closed) so that the client receives the 413 instead of a reset.
 */
export async function readRequestFile(req: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = (): AppError =>
    new AppError('payload-too-large', 413, `The file is larger than ${maxBytes} bytes (IMPORT_MAX_BYTES).`, { headers: { Connection: 'close' } });
  const declared = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let size = 0;
  let over = Number.isFinite(declared) && declared > maxBytes;
  let dropped = 0;
  await new Promise<void>((resolve, reject) => {
    req.on('data', (chunk: Buffer) => {
      if (over) {
        dropped += chunk.length;
        if (dropped > maxBytes) {
          req.pause();
          resolve();
        }
        return;
      }
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve());
    req.on('error', reject);
    req.on('aborted', () => reject(new AppError('request-aborted', 400, 'The upload was interrupted.')));
  });
  if (over) throw tooLarge();
  return Buffer.concat(chunks, size);
}
