import { OrdersBoard } from './board';
import { announce, busy, byId, field } from './dom';
import { FailedEmailsView } from './emails';
import { lang, onLangChange, setLang, t } from './i18n';
import { LiveFeed, type LiveState } from './live';
import { OrderDetail } from './order-detail';
import { PackingSlip } from './packing-slip';
import { PackingView } from './packing';
import { translatePage } from './page-text';
import { ProductsView } from './products';
import { ReturnsView } from './returns';
import { PurchasingView } from './purchasing';
import { Session } from './session';
import { UsersView } from './users';
import { WebhooksView } from './webhooks';
import type { components } from '../../../generated/openapi';

type Order = components['schemas']['Order'];
type Shipment = components['schemas']['Shipment'];

translatePage();

const session = new Session();
const live = new LiveFeed(session, showLiveState, () => {
  void board.load();
  void products.load();
});
const slip = new PackingSlip(() => {
  location.hash = '#orders';
});
function showSlip(order: Order, shipment?: Shipment): void {
  detail.close();
  slip.show(order, shipment);
  location.hash = '#slip';
  showView();
  byId('slip-title').focus();
}
const packing = new PackingView(
  session,
  (orderId) => {
    location.hash = '#orders';
    void detail.open(orderId);
  },
  showSlip,
  (order) => board.upsert(order),
);
const detail = new OrderDetail(
  session,
  (order) => board.upsert(order),
  showSlip,
  (order) => {
    detail.close();
    location.hash = '#packing';
    const opening = packing.open(order.id);
    showView();
    byId('pack-title').focus();
    void opening.then(() => packing.focus());
  },
);
const board = new OrdersBoard(session, (id) => void detail.open(id));
const products = new ProductsView(session);
const users = new UsersView(session);
const webhooks = new WebhooksView(session);
const emails = new FailedEmailsView(session, (id) => void detail.open(id));
const returns = new ReturnsView(session, (id) => void detail.open(id));
detail.onReturns = (order) => {
  detail.close();
  location.hash = '#returns';
  showView();
  void returns.showOrder(order.id, order.number);
  byId('returns-title').focus();
};
const purchasing = new PurchasingView(session);
// "Proponi ordini" from the low-stock list: to the purchasing view, proposals computed at once.
byId('alerts-propose').addEventListener('click', () => {
  location.hash = '#purchasing';
  void purchasing.propose();
});
byId('hooks-reload').addEventListener('click', () => void webhooks.load());
board.subscribe(live);
detail.subscribe(live);
packing.subscribe(live);
products.subscribe(live);
webhooks.subscribe(live);
returns.subscribe(live);
purchasing.subscribe(live);

let liveState: LiveState = 'offline';
function showLiveState(state: LiveState): void {
  liveState = state;
  const indicator = byId('live-indicator');
  indicator.dataset['state'] = state;
  byId('live-text').textContent = t(`live.${state}`);
}

type View = 'orders' | 'products' | 'slip' | 'packing' | 'users' | 'webhooks' | 'emails' | 'returns' | 'purchasing';

const isAdmin = (): boolean => session.user?.role === 'admin';

function currentView(): View {
  if (location.hash === '#products') return 'products';
  if (location.hash === '#users' && isAdmin()) return 'users';
  if (location.hash === '#webhooks' && isAdmin()) return 'webhooks';
  if (location.hash === '#emails') return 'emails';
  if (location.hash === '#returns') return 'returns';
  if (location.hash === '#purchasing') return 'purchasing';
  if (location.hash === '#slip' && slip.showing) return 'slip';
  if (location.hash === '#packing' && packing.showing) return 'packing';
  return 'orders';
}

function showView(): void {
  const view = currentView();
  byId('orders-view').hidden = view !== 'orders';
  byId('products-view').hidden = view !== 'products';
  byId('slip-view').hidden = view !== 'slip';
  byId('packing-view').hidden = view !== 'packing';
  byId('users-view').hidden = view !== 'users';
  byId('webhooks-view').hidden = view !== 'webhooks';
  byId('emails-view').hidden = view !== 'emails';
  byId('returns-view').hidden = view !== 'returns';
  byId('purchasing-view').hidden = view !== 'purchasing';
  // The packing and slip views belong to the orders.
  const section = view === 'slip' || view === 'packing' ? 'orders' : view;
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a[data-view]')) {
    if (link.dataset['view'] === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function showUser(): void {
  const user = session.user;
  byId('user-name').textContent = user ? t('header.userName', { name: user.name, role: t(`role.${user.role}`) }) : '';
}

function signedIn(): void {
  showUser();
  byId('nav-users').hidden = !isAdmin();
  byId('nav-webhooks').hidden = !isAdmin();
  byId('sign-in-view').hidden = true;
  byId('app-view').hidden = false;
  showView();
  live.start();
  void board.load();
  void products.load();
  if (isAdmin()) void users.load();
  if (isAdmin()) void webhooks.load();
  if (currentView() === 'emails') void emails.load();
  if (currentView() === 'returns') void returns.load();
  if (currentView() === 'purchasing') void purchasing.load();
  byId('main').focus();
}

function signedOut(message: string): void {
  live.stop();
  detail.close();
  slip.clear();
  packing.clear();
  board.clear();
  products.clear();
  users.clear();
  webhooks.clear();
  emails.clear();
  returns.clear();
  purchasing.clear();
  showLiveState('offline');
  byId('app-view').hidden = true;
  byId('sign-in-view').hidden = false;
  byId('sign-in-message').textContent = message;
  byId<HTMLInputElement>('email').focus();
}

session.onEnded = (reason) => signedOut(reason);

const signInForm = byId<HTMLFormElement>('sign-in');
signInForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const error = byId('sign-in-error');
  error.textContent = '';
  byId('sign-in-message').textContent = '';
  void busy(signInForm, async () => {
    try {
      await session.signIn(field(signInForm, 'email'), String(new FormData(signInForm).get('password') ?? ''));
      signInForm.reset();
      signedIn();
    } catch (err) {
      error.textContent = (err as Error).message;
      byId<HTMLInputElement>('password').select();
    }
  });
});

byId('sign-out').addEventListener('click', () => {
  void session.signOut().then(() => {
    signedOut(t('signIn.signedOut'));
    announce(t('signIn.announceOut'));
  });
});

// The language switch (in the header, and on the sign-in page): remembered for this browser.
for (const button of document.querySelectorAll<HTMLButtonElement>('.lang-switch')) {
  button.addEventListener('click', () => setLang(lang() === 'it' ? 'en' : 'it'));
}
onLangChange(() => {
  translatePage();
  if (currentView() === 'purchasing') void purchasing.load();
  showLiveState(liveState);
  showUser();
  board.rerender();
  products.rerender();
  users.rerender();
  webhooks.rerender();
  emails.rerender();
  returns.rerender();
  detail.rerender();
  slip.rerender();
  packing.rerender();
});

window.addEventListener('hashchange', () => {
  showView();
  if (location.hash === '#webhooks' && isAdmin()) void webhooks.load();
  if (location.hash === '#emails') void emails.load();
  if (location.hash === '#returns') void returns.load();
  if (location.hash === '#purchasing') void purchasing.load();
});
showLiveState('offline');
