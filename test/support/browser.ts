import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { h } from './hooks';

/** Debian's Chromium (scripts/ensure-chromium.sh installs it; `make test` runs that first). */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const RESULTS_DIR = path.join(__dirname, '../../test-results');

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export interface TestBrowser {
  context: BrowserContext;
  /** A new tab with its console errors and failed requests recorded (a CSP violation shows up there). */
  page(): Promise<TestPage>;
  close(): Promise<void>;
}

export interface TestPage {
  page: Page;
  errors: string[];
}

/**
 * Launches Chromium with a fresh profile. A missing browser is an error, never a skip: the console
 * must be tested in a real browser wherever the suite runs.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run scripts/ensure-chromium.sh (make test does) or set CHROMIUM_PATH`);
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'quickstock-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: FLAGS,
    viewport: { width: 1366, height: 768 },
    locale: 'it-IT',
    timezoneId: 'Europe/Rome',
    timeout: 30_000,
  });
  context.setDefaultTimeout(8000);
  return {
    context,
    async page() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (msg) => {
        // A 4xx the page handled (a wrong password, a refused movement) is logged by Chromium too.
        if (msg.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) errors.push(msg.text());
      });
      page.on('pageerror', (err) => errors.push(err.message));
      return { page, errors };
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export const consoleUrl = (): string => `${h().baseUrl}/console`;

/** Opens the console and signs in; resolves once the live channel is up. */
export async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto(consoleUrl());
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await liveIs(page, 'Live');
}

export async function liveIs(page: Page, text: string, timeout = 8000): Promise<void> {
  await page.locator('#live-text', { hasText: text }).waitFor({ timeout });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, name);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

/** The board's card of an order, in the column of `status`. */
export const card = (page: Page, status: string, number: string) => page.locator(`.column[data-status="${status}"] [data-order-number="${number}"]`);
