import { OrdersBoard } from './board';
import { announce, busy, byId, field } from './dom';
import { LiveFeed, type LiveState } from './live';
import { OrderDetail } from './order-detail';
import { ProductsView } from './products';
import { Session } from './session';

const LIVE_LABELS: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

const session = new Session();
const live = new LiveFeed(session, showLiveState, () => {
  void board.load();
  void products.load();
});
const detail = new OrderDetail(session, (order) => board.upsert(order));
const board = new OrdersBoard(session, (id) => void detail.open(id));
const products = new ProductsView(session);
board.subscribe(live);
detail.subscribe(live);
products.subscribe(live);

function showLiveState(state: LiveState): void {
  const indicator = byId('live-indicator');
  indicator.dataset['state'] = state;
  byId('live-text').textContent = LIVE_LABELS[state];
}

function showView(): void {
  const view = location.hash === '#products' ? 'products' : 'orders';
  byId('orders-view').hidden = view !== 'orders';
  byId('products-view').hidden = view !== 'products';
  for (const link of document.querySelectorAll<HTMLAnchorElement>('nav a[data-view]')) {
    if (link.dataset['view'] === view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function signedIn(): void {
  const user = session.user!;
  byId('user-name').textContent = `${user.name} (${user.role})`;
  byId('sign-in-view').hidden = true;
  byId('app-view').hidden = false;
  showView();
  live.start();
  void board.load();
  void products.load();
  byId('main').focus();
}

function signedOut(message: string): void {
  live.stop();
  detail.close();
  board.clear();
  products.clear();
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
    signedOut('You are signed out.');
    announce('Signed out.');
  });
});

window.addEventListener('hashchange', showView);
showLiveState('offline');
