import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { consoleUrl, launchBrowser, liveIs, type TestBrowser, type TestPage } from '../support/browser';

export { card, liveIs, screenshot, type TestBrowser, type TestPage } from '../support/browser';

/** The console's Italian words the tests drive it by (the page's default language). */
export const IT = { signIn: 'Accedi', live: 'In diretta', reconnecting: 'Riconnessione…' } as const;

/**
 * One Chromium for the describe block and a fresh tab per test; a test that passed still fails when
 * the page logged an error (a CSP violation, a failed script).
 */
export function consoleBrowser(): { browser: () => TestBrowser; tab: () => TestPage } {
  let browser: TestBrowser | undefined;
  let tab: TestPage | undefined;
  before(async function () {
    this.timeout(60_000);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    tab = await browser!.page();
  });
  afterEach(async function () {
    const errors = tab!.errors;
    // The language choice outlives the tab (localStorage of the shared profile): back to the default.
    await tab!.page.evaluate("localStorage.removeItem('quickstock.console.lang')").catch(() => undefined);
    await tab!.page.close();
    if (this.currentTest?.state === 'passed') expect(errors, 'browser console errors').to.deep.equal([]);
  });
  return { browser: () => browser!, tab: () => tab! };
}

/** Opens the console and signs in (in Italian); resolves once the live channel is up. */
export async function signIn(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto(consoleUrl());
  await page.locator('#sign-in').getByLabel('Email', { exact: true }).fill(user.email);
  await page.locator('#sign-in').getByLabel('Password', { exact: true }).fill(user.password);
  await page.getByRole('button', { name: IT.signIn, exact: true }).click();
  await liveIs(page, IT.live);
}

interface AxeResults {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
}

let axeSource: string | undefined;

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on what the page shows now and fails on any serious or
 * critical violation, naming the rule and the elements. The console's Content-Security-Policy
 * refuses inline scripts, so `page.addScriptTag` (an inline <script>) cannot load axe; the same file
 * is evaluated through the DevTools protocol instead, which the page's CSP does not govern.
 */
export async function expectAccessible(page: Page, what: string): Promise<void> {
  if (!(await page.evaluate('typeof window.axe === "object"'))) {
    axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    await page.evaluate(axeSource);
  }
  const results = (await page.evaluate(
    "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }, resultTypes: ['violations'] })",
  )) as AxeResults;
  const serious = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`);
  expect(serious, `axe on ${what}`).to.deep.equal([]);
}
