import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router, type Response } from 'express';
import { projectRoot } from '../platform/paths';
import { AppError } from '../platform/errors';

/** Where `npm run build:console` puts the bundled page (gitignored, rebuilt by `npm run build`). */
export const consoleStaticDir = path.join(projectRoot, 'src/console/static');

/**
 * Stricter than the app-wide policy (which lets Swagger UI run inline scripts): the console runs
 * only its own bundle and style sheet, and talks only to this origin — `'self'` covers the
 * same-origin WebSocket (ws:/wss:) in CSP Level 3 browsers.
 */
const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

function consoleHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  // Small files, rebuilt with every release: always revalidate (ETag), never serve a stale bundle.
  res.setHeader('Cache-Control', 'no-cache');
}

export interface ConsoleRouterOptions {
  /** True while no admin exists: /console/setup (first-admin creation) is served only then. */
  setupOpen: () => Promise<boolean>;
  staticDir?: string;
}

/**
 * Serves the staff console page at /console and /console/, the first-admin setup page at
 * /console/setup (404 once an admin exists), the password-reset page at /console/password-reset,
 * and their assets under /console/.
 */
export function createConsoleRouter({ setupOpen, staticDir = consoleStaticDir }: ConsoleRouterOptions): Router {
  const router = Router();
  const index = path.join(staticDir, 'index.html');
  router.use('/console', (_req, res, next) => {
    consoleHeaders(res);
    if (!existsSync(index)) {
      next(new AppError('console-not-built', 503, 'The staff console has not been built: run `npm run build`.'));
      return;
    }
    next();
  });
  router.get(['/console', '/console/', '/console/index.html'], (_req, res) => {
    res.sendFile(index);
  });
  router.get(['/console/setup', '/console/setup.html'], async (_req, res, next) => {
    if (!(await setupOpen())) {
      next(new AppError('not-found', 404, 'There is nothing to set up: an admin already exists. Sign in at /console.'));
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(path.join(staticDir, 'setup.html'));
  });
  // Customers and staff alike, with or without the link's token (in the fragment: never sent here).
  router.get(['/console/password-reset', '/console/password-reset.html'], (_req, res) => {
    // The page sends nothing to another origin; even so, no request from it may carry its URL.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(path.join(staticDir, 'password-reset.html'));
  });
  router.use('/console', express.static(staticDir, { index: false, redirect: false, fallthrough: true }));
  return router;
}
