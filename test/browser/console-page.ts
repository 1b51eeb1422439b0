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

