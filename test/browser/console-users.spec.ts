import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { login, createUser, operator } from '../support/api';
import { client } from '../support/client';
import { query } from '../support/database';
import { ADMIN } from '../support/hooks';
import { consoleBrowser, expectAccessible, screenshot, signIn } from './console-page';

describe('staff console: users (admins only)', function () {
  this.timeout(60_000);
  const chromium = consoleBrowser();

  it('lets an admin add a colleague, find them, disable and enable them, and make them an admin', async () => {
    const admin = await createUser('admin');
    const email = `giulia.bianchi-${randomUUID().slice(0, 8)}@example.test`;
    const password = 'una password lunga 123';
    const { page } = chromium.tab();
    await signIn(page, admin);
    await page.getByRole('link', { name: 'Utenti' }).click();
    const create = page.locator('#user-create');
    await create.getByLabel('Nome e cognome').fill('Giulia Bianchi');
    await create.getByLabel('Email').fill(email);
    await create.getByLabel('Ruolo').selectOption({ label: 'operatore' });
    await create.getByLabel('Password iniziale').fill(password);
    await create.getByRole('button', { name: 'Crea utente' }).click();
    await page.locator('#users-result', { hasText: 'Creato: Giulia Bianchi, operatore.' }).waitFor();
    const token = (await login(email, password)).accessToken;
    expect((await client(token).GET('/api/v1/auth/me')).data).to.include({ email, role: 'operator', disabled: false });

    await page.getByLabel('Cerca nome o email').fill(email);
    const row = page.locator(`#users-body tr[data-email="${email}"]`);
    await row.waitFor();
    await page.locator('#users-status', { hasText: 'Utenti mostrati: 1.' }).waitFor();
    await screenshot(page, 'console-users.png');
    await expectAccessible(page, 'the users view');

    await row.getByRole('button', { name: 'Disattiva Giulia Bianchi' }).click();
    await row.getByTestId('state').filter({ hasText: 'Disattivato' }).waitFor();
    expect((await client().POST('/api/v1/auth/login', { body: { email, password } })).response.status).to.equal(401);

    await row.getByRole('button', { name: 'Riattiva Giulia Bianchi' }).click();
    await row.getByTestId('state').filter({ hasText: 'Attivo' }).waitFor();
    await row.getByLabel('Ruolo di Giulia Bianchi', { exact: true }).selectOption('admin');
    await row.getByRole('button', { name: 'Cambia ruolo di Giulia Bianchi' }).click();
    await row.getByTestId('role').filter({ hasText: 'amministratore' }).waitFor();
    await page.locator('#users-result', { hasText: 'Giulia Bianchi è ora amministratore.' }).waitFor();
    const [stored] = await query('SELECT role, disabled FROM users WHERE email = $1', [email]);
    expect(stored).to.deep.equal({ role: 'admin', disabled: false });
  });

  it('sets a colleague’s password: a weak one is explained, the new one signs in and their sessions end', async () => {
    const admin = await createUser('admin');
    const name = `Marco Gialli ${randomUUID().slice(0, 6)}`;
    const colleague = await createUser('operator', { name });
    const { page } = chromium.tab();
    await signIn(page, admin);
    await page.getByRole('link', { name: 'Utenti' }).click();
    await page.getByLabel('Cerca nome o email').fill(colleague.email);
    const row = page.locator(`#users-body tr[data-email="${colleague.email}"]`);
    await row.getByRole('button', { name: `Imposta password di ${name}` }).click();
    const dialog = page.getByRole('dialog', { name: `Nuova password per ${name}` });
    await dialog.waitFor();
    await expectAccessible(page, 'the set-password dialog');

    await dialog.getByLabel('Nuova password').fill('aaaaaaaaaaaaaaaa');
    await dialog.getByRole('button', { name: 'Imposta password' }).click();
    await dialog.locator('#password-error', { hasText: 'La password di' }).waitFor();
    expect((await client(colleague.token).GET('/api/v1/auth/me')).response.status).to.equal(200);

    const password = 'Cartellina-rossa-2027';
    await dialog.getByLabel('Nuova password').fill(password);
    await dialog.getByRole('button', { name: 'Imposta password' }).click();
    await page.locator('#users-result', { hasText: `Password di ${name} impostata: le sue sessioni sono terminate.` }).waitFor();
    expect(await dialog.isVisible()).to.equal(false);
    expect((await client(colleague.token).GET('/api/v1/auth/me')).response.status).to.equal(401);
    expect((await client().POST('/api/v1/auth/login', { body: { email: colleague.email, password: colleague.password } })).response.status).to.equal(401);
    expect((await login(colleague.email, password)).accessToken).to.be.a('string');
  });

  it('explains in plain Italian why the last active admin cannot demote themselves, and changes nothing', async () => {
    const [first] = await query('SELECT id FROM users WHERE email = $1', [ADMIN.email]);
    const others = await query("SELECT id FROM users WHERE role = 'admin' AND NOT disabled AND id <> $1", [first.id]);
    await query('UPDATE users SET disabled = true WHERE id = ANY($1)', [others.map((o) => o.id)]);
    try {
      const { page } = chromium.tab();
      await signIn(page, ADMIN);
      await page.getByRole('link', { name: 'Utenti' }).click();
      await page.getByLabel('Cerca nome o email').fill(ADMIN.email);
      const row = page.locator(`#users-body tr[data-email="${ADMIN.email}"]`);
      await row.waitFor();
      await row.getByRole('combobox', { name: /^Ruolo di / }).selectOption('operator');
      await row.getByRole('button', { name: /^Cambia ruolo di / }).click();
      await page.locator('#users-error:not(:empty)').waitFor();
      expect(await page.locator('#users-error').innerText()).to.match(
        /^Modifica di .+ non riuscita\. È l’ultimo amministratore attivo: non può essere disattivato né diventare operatore, altrimenti nessuno potrebbe più gestire gli utenti\. Nomina prima un altro amministratore\.$/,
      );
      // The refused choice is put back, and nothing changed.
      expect(await row.getByRole('combobox', { name: /^Ruolo di / }).inputValue()).to.equal('admin');
      await expectAccessible(page, 'the users view with the last-admin refusal');
      expect((await query('SELECT role, disabled FROM users WHERE id = $1', [first.id]))[0]).to.deep.equal({ role: 'admin', disabled: false });
    } finally {
      await query('UPDATE users SET disabled = false WHERE id = ANY($1)', [others.map((o) => o.id)]);
    }
  });

  it('shows operators no users view, and the API refuses them', async () => {
    const op = await operator();
    const { page } = chromium.tab();
    await signIn(page, op);
    expect(await page.getByRole('link', { name: 'Utenti' }).count()).to.equal(0);
    await page.goto(`${page.url().split('#')[0]}#users`);
    expect(await page.locator('#users-view').isVisible()).to.equal(false);
    expect((await client(op.token).GET('/api/v1/users')).response.status).to.equal(403);
  });
});
