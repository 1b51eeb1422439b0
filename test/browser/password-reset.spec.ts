import { expect } from 'chai';
import type { Request } from 'playwright-core';
import { createUser } from '../support/api';
import { consoleUrl } from '../support/browser';
import { h, PUBLIC_URL_IN_TESTS } from '../support/hooks';
import { consoleBrowser, expectAccessible, IT, liveIs, screenshot, signIn } from './console-page';

const RESET_SUBJECT = 'Reimposta la password del tuo account QuickStock';
const NEW_PASSWORD = 'Portamine-blu-e-gomma-2027';

/** What left the page: every request's URL, its Referer and its body. */
function recordRequests(tab: { page: { on(event: 'request', listener: (r: Request) => void): void } }): { url: string; referer?: string; body: string }[] {
  const sent: { url: string; referer?: string; body: string }[] = [];
  tab.page.on('request', (r) => {
    // Opening the link: the browser keeps the fragment to itself (Playwright reports it in the URL).
    if (r.isNavigationRequest()) return;
    sent.push({ url: r.url(), referer: r.headers()['referer'], body: r.postData() ?? '' });
  });
  return sent;
}

describe('password reset in Chromium: from "Password dimenticata?" to the new password', function () {
  this.timeout(90_000);
  const { browser, tab } = consoleBrowser();

  it('asks for the link from the sign-in form, follows the mailed link, sets a new password and signs in with it', async () => {
    const user = await createUser('operator', { name: 'Giulia Bianchi' });
    const { page } = tab();

    // The sign-in form links to the request form.
    await page.goto(consoleUrl());
    await page.getByRole('link', { name: 'Password dimenticata?' }).click();
    await page.getByRole('heading', { name: 'Password dimenticata?' }).waitFor();
    expect(new URL(page.url()).pathname).to.equal('/console/password-reset');
    await expectAccessible(page, 'the request form');
    await page.getByLabel('Email').fill(user.email);
    await page.getByRole('button', { name: 'Inviami il link' }).click();
    await page.getByText('Se l’indirizzo appartiene a un account QuickStock').waitFor();

    // The mail's link names PUBLIC_URL (http://quickstock.test in the suite), which does not
    // resolve here: the test opens the same path and fragment on the service it runs.
    const [mail] = await h().smtp.waitFor(1, (m) => m.envelopeTo.includes(user.email.toLowerCase()) && m.parsed.subject === RESET_SUBJECT);
    const link = new URL(/http:\/\/quickstock\.test\/\S+/.exec(mail!.parsed.text ?? '')![0]);
    expect(link.origin).to.equal(PUBLIC_URL_IN_TESTS);
    expect(link.pathname).to.equal('/console/password-reset');
    const token = new URLSearchParams(link.hash.slice(1)).get('token')!;
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);

    // Opened from the mail: a tab of its own.
    const mailTab = await browser().page();
    const mailPage = mailTab.page;
    const sent = recordRequests(mailTab);
    const opened = await mailPage.goto(`${h().baseUrl}${link.pathname}${link.hash}`);
    expect(opened?.headers()['referrer-policy']).to.equal('no-referrer');
    expect(opened?.headers()['cache-control']).to.equal('no-store');
    // The token leaves the address bar at once.
    await mailPage.getByRole('heading', { name: 'Scegli una nuova password' }).waitFor();
    expect(mailPage.url()).to.equal(`${h().baseUrl}/console/password-reset`);
    await expectAccessible(mailPage, 'the new-password form');

    await mailPage.getByLabel('Nuova password', { exact: true }).fill(NEW_PASSWORD);
    await mailPage.getByLabel('Ripeti la nuova password').fill('Un-altra-cosa-del-tutto');
    await mailPage.getByRole('button', { name: 'Salva la nuova password' }).click();
    expect(await mailPage.locator('#choose-error').innerText()).to.contain('non coincidono');
    // The policy is the server's: a common password comes back as a 400 naming the field.
    await mailPage.getByLabel('Nuova password', { exact: true }).fill('password1234');
    await mailPage.getByLabel('Ripeti la nuova password').fill('password1234');
    await mailPage.getByRole('button', { name: 'Salva la nuova password' }).click();
    await mailPage.locator('#choose-error', { hasText: 'nuova password: troppo facile da indovinare' }).waitFor();
    await mailPage.getByLabel('Nuova password', { exact: true }).fill(NEW_PASSWORD);
    await mailPage.getByLabel('Ripeti la nuova password').fill(NEW_PASSWORD);
    await mailPage.getByRole('button', { name: 'Salva la nuova password' }).click();
    await mailPage.getByRole('heading', { name: 'Password modificata' }).waitFor();
    await screenshot(mailPage, 'password-reset-done.png');
    await expectAccessible(mailPage, 'the page once the password is changed');

    // The token went to the confirmation's body only: never in a URL or a Referer.
    const carrying = sent.filter((r) => r.url.includes(token) || (r.referer ?? '').includes(token) || r.body.includes(token));
    expect(carrying.map((r) => r.url)).to.deep.equal([
      `${h().baseUrl}/api/v1/auth/password-reset/confirm`,
      `${h().baseUrl}/api/v1/auth/password-reset/confirm`,
    ]);
    expect(
      sent.filter((r) => r.referer),
      'requests with a Referer',
    ).to.deep.equal([]);
    await h().smtp.waitFor(1, (m) => m.envelopeTo.includes(user.email.toLowerCase()) && m.parsed.subject === 'Password modificata');

    await mailPage.getByRole('link', { name: 'Vai all’accesso' }).click();
    await signIn(mailPage, { email: user.email, password: NEW_PASSWORD });
    await liveIs(mailPage, IT.live);
    expect(mailTab.errors, 'browser console errors of the mail tab').to.deep.equal([]);
    await mailPage.close();

    // The link is spent: opened again, it says so and offers a new one.
    await page.goto(consoleUrl());
    await page.goto(`${h().baseUrl}${link.pathname}${link.hash}`);
    await page.getByLabel('Nuova password', { exact: true }).fill('Ancora-un-portamine-2028');
    await page.getByLabel('Ripeti la nuova password').fill('Ancora-un-portamine-2028');
    await page.getByRole('button', { name: 'Salva la nuova password' }).click();
    await page.locator('#choose-error', { hasText: 'Il link non è valido' }).waitFor();
    await page.getByRole('link', { name: 'Chiedi un nuovo link' }).click();
    await page.getByRole('button', { name: 'Inviami il link' }).waitFor();
  });

  it('answers an unknown address as a known one, and switches to English', async () => {
    const { page } = tab();
    await page.goto(`${consoleUrl()}/password-reset`);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).to.equal('en');
    await page.getByLabel('Email').fill('nessuno@cartoleria.test');
    await page.getByRole('button', { name: 'Send me the link' }).click();
    await page.getByText('If the address belongs to a QuickStock account').waitFor();
    await expectAccessible(page, 'the request form once sent, in English');
  });
});
