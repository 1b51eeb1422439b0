import type { components } from '../../../generated/openapi';
import { announce, busy, byId, el, field, replaceChildren, wireSearch } from './dom';
import { formatDateTime } from './format';
import { t } from './i18n';
import { queryString, type Session } from './session';
import { PasswordDialog } from './password-dialog';

type User = components['schemas']['User'];
type UserList = components['schemas']['UserList'];
type Role = components['schemas']['Role'];
type UpdateUser = components['schemas']['UpdateUserRequest'];

const PAGE = 50;
const ROLES: readonly Role[] = ['admin', 'operator', 'customer'];

/**
 * The users view (admins only): search, create staff, disable and enable, change a role, set a
 * password. The server guards the last active admin; its refusal is shown in plain words.
 */
export class UsersView {
  private users: User[] = [];
  private nextCursor: string | null = null;
  private readonly password: PasswordDialog;

  constructor(private readonly session: Session) {
    this.password = new PasswordDialog(session);
    wireSearch(byId<HTMLFormElement>('user-search'), byId('users-more'), (more) => void this.load(more));
    const create = byId<HTMLFormElement>('user-create');
    create.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.create(create);
    });
  }

  async load(more = false): Promise<void> {
    const form = byId<HTMLFormElement>('user-search');
    const params = new URLSearchParams({ limit: String(PAGE) });
    const q = field(form, 'q');
    if (q) params.set('q', q);
    const role = field(form, 'role');
    if (role) params.set('role', role);
    if (more && this.nextCursor) params.set('cursor', this.nextCursor);
    const status = byId('users-status');
    try {
      const page = await this.session.request<UserList>('GET', `/users?${queryString(params)}`);
      this.users = more ? [...this.users, ...page.items] : page.items;
      this.nextCursor = page.nextCursor;
      status.textContent = this.users.length === 0 ? t('users.none') : t('users.count', { n: this.users.length });
      this.render();
    } catch (err) {
      status.textContent = t('users.loadFailed', { message: (err as Error).message });
    }
  }

  clear(): void {
    this.users = [];
    replaceChildren(byId('users-body'));
    byId('users-error').textContent = '';
    byId('users-result').textContent = '';
  }

  rerender(): void {
    this.render();
  }

  private render(): void {
    const me = this.session.user?.id;
    replaceChildren(
      byId('users-body'),
      ...this.users.map((u) => {
        const roleId = `role-${u.id}`;
        return el(
          'tr',
          { 'data-email': u.email, class: u.disabled ? 'disabled' : '' },
          el('td', {}, u.name, u.id === me ? el('span', { class: 'muted' }, t('users.you')) : ''),
          el('td', {}, u.email),
          el('td', { 'data-testid': 'role' }, t(`role.${u.role}`)),
          el('td', { 'data-testid': 'state' }, u.disabled ? t('users.disabled') : t('users.active')),
          el('td', { class: 'muted' }, formatDateTime(u.createdAt)),
          el(
            'td',
            { class: 'row-actions' },
            el('label', { for: roleId, class: 'visually-hidden' }, t('users.roleOf', { name: u.name })),
            el('select', { id: roleId }, ...ROLES.map((r) => el('option', { value: r, selected: r === u.role }, t(`role.${r}`)))),
            el(
              'button',
              {
                type: 'button',
                'aria-label': t('users.changeRoleOf', { name: u.name }),
                onclick: () => void this.update(u, { role: byId<HTMLSelectElement>(roleId).value as Role }),
              },
              t('users.changeRole'),
            ),
            el(
              'button',
              {
                type: 'button',
                class: u.disabled ? '' : 'danger',
                'aria-label': t(u.disabled ? 'users.enableOf' : 'users.disableOf', { name: u.name }),
                onclick: () => void this.update(u, { disabled: !u.disabled }),
              },
              u.disabled ? t('users.enable') : t('users.disable'),
            ),
            el(
              'button',
              { type: 'button', 'aria-label': t('users.setPasswordOf', { name: u.name }), onclick: () => this.password.open(u) },
              t('users.setPassword'),
            ),
          ),
        );
      }),
    );
    byId('users-more').hidden = !this.nextCursor;
  }

  private async update(user: User, patch: UpdateUser): Promise<void> {
    const error = byId('users-error');
    const result = byId('users-result');
    error.textContent = '';
    result.textContent = '';
    if (patch.role === user.role) return;
    await busy(byId('users-body'), async () => {
      try {
        const updated = await this.session.request<User>('PATCH', `/users/${user.id}`, patch);
        this.users = this.users.map((u) => (u.id === updated.id ? updated : u));
        const said =
          patch.role !== undefined
            ? t('users.roleChanged', { name: updated.name, role: t(`role.${updated.role}`) })
            : t(updated.disabled ? 'users.disabledDone' : 'users.enabledDone', { name: updated.name });
        result.textContent = said;
        announce(said);
        this.render();
      } catch (err) {
        error.textContent = t('users.updateFailed', { name: user.name, message: (err as Error).message });
        this.render(); // puts a refused role choice back
      }
    });
  }

  private async create(form: HTMLFormElement): Promise<void> {
    const error = byId('user-create-error');
    error.textContent = '';
    await busy(form, async () => {
      try {
        const user = await this.session.request<User>('POST', '/users', {
          name: field(form, 'name'),
          email: field(form, 'email'),
          role: field(form, 'role') as Role,
          password: String(new FormData(form).get('password') ?? ''),
        });
        form.reset();
        const said = t('users.created', { name: user.name, role: t(`role.${user.role}`) });
        byId('users-result').textContent = said;
        announce(said);
        await this.load();
      } catch (err) {
        error.textContent = t('users.createFailed', { message: (err as Error).message });
      }
    });
  }
}
