import nock from 'nock';
import { FakeStripe } from './stripe.fake';
import { FakeEasyPost } from './easypost.fake';

/**
 * Preloaded (`--import`) into a service started as a child process (services.ts `startServiceProcess({ fakes: true })`):
 * the child's outbound calls meet the same nock fakes as the suite's, with the same secrets
 * (providerEnv), so a test can pay with Stripe, buy an EasyPost label and sign both providers'
 * webhooks against a service that has its own process and pool. Loopback stays open (the
 * database, webhook receivers).
 */
nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));
new FakeStripe().install();
new FakeEasyPost().install();
