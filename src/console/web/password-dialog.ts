import type { components } from '../../../generated/openapi';
import { announce, busy, byId } from './dom';
import { t } from './i18n';
import type { Session } from './session';

type User = components['schemas']['User'];
type SetPassword = components['schemas']['SetPasswordRequest'];

/**
 * The "set password" dialog of the users view (admins only). The server applies the password
 * policy and ends every session of the user; a refusal stays in the dialog in plain words.
 */
export class PasswordDialog {
  private readonly dialog = byId<HTMLDialogElement>('password-dialog');
  private readonly form = byId<HTMLFormElement>('password-form');
  private user: User | undefined;

  constructor(private readonly session: Session) {
    byId('password-dialog-close').addEventListener('click', () => this.dialog.close());
    this.dialog.addEventListener('close', () => {
      this.form.reset();
      byId('password-error').textContent = '';
      this.user = undefined;
    });
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.submit();
    });
  }

  open(user: User): void {
    this.user = user;
    byId('password-dialog-title').textContent = t('users.passwordTitleOf', { name: user.name });
    this.dialog.showModal();
    byId<HTMLInputElement>('pw-password').focus();
  }

  private async submit(): Promise<void> {
    const user = this.user;
    if (!user) return;
    const error = byId('password-error');
    error.textContent = '';
    await busy(this.form, async () => {
      try {
        const body: SetPassword = { password: String(new FormData(this.form).get('password') ?? '') };
        await this.session.request<void>('POST', `/users/${user.id}/password`, body);
        this.dialog.close();
        const said = t('users.passwordDone', { name: user.name });
        byId('users-result').textContent = said;
        announce(said);
      } catch (err) {
        error.textContent = t('users.passwordFailed', { name: user.name, message: (err as Error).message });
      }
    });
  }
}
