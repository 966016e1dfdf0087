import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import type { Logger } from '../../platform/logger.js';
import type { PaymentsConfig } from './payments.config.js';
import * as repo from './payment-settings.repository.js';
import { StripeGateway } from './stripe-gateway.js';

const SECRET_KEY = 'stripe_secret_key';
const WEBHOOK_SECRET = 'stripe_webhook_secret';
const OPEN = 'paid_subscriptions_open';

export type KeySource = 'env' | 'settings' | null;

export interface PaymentState {
  secretKey: string | undefined;
  webhookSecret: string | undefined;
  sources: { secretKey: KeySource; webhookSecret: KeySource };
  /** Both keys are known: Stripe can be called and can call us. */
  configured: boolean;
  /** Staff have opened paid subscriptions. */
  open: boolean;
  /** Readers can check out: configured and open. */
  checkoutOpen: boolean;
}

/**
 * The Stripe keys and the paid-subscriptions switch. Keys come from the environment or,
 * failing that, from what staff stored; read on each use, so a change made through any
 * process applies everywhere at once.
 */
export class PaymentSettings {
  private gateways = new Map<string, StripeGateway>();

  constructor(
    private readonly deps: { db: Db; clock: Clock; logger: Logger; config: PaymentsConfig },
  ) {}

  async current(db: Db = this.deps.db): Promise<PaymentState> {
    const stored = await repo.readPaymentSettings(db);
    const storedString = (key: string) => {
      const v = stored.get(key);
      return typeof v === 'string' && v !== '' ? v : undefined;
    };
    const pick = (fromEnv: string | undefined, key: string) => {
      if (fromEnv) return { value: fromEnv, source: 'env' as const };
      const value = storedString(key);
      return { value, source: value ? ('settings' as const) : null };
    };
    const secret = pick(this.deps.config.stripeSecretKey, SECRET_KEY);
    const webhook = pick(this.deps.config.stripeWebhookSecret, WEBHOOK_SECRET);
    const configured = secret.value !== undefined && webhook.value !== undefined;
    const open = stored.get(OPEN) === true;
    return {
      secretKey: secret.value,
      webhookSecret: webhook.value,
      sources: { secretKey: secret.source, webhookSecret: webhook.source },
      configured,
      open,
      checkoutOpen: configured && open,
    };
  }

  /** A client for the current secret key, or undefined when there is none. */
  async gateway(): Promise<StripeGateway | undefined> {
    const { secretKey } = await this.current();
    if (!secretKey) return undefined;
    let gateway = this.gateways.get(secretKey);
    if (!gateway) {
      // Keys change rarely; keeping only the latest client is enough.
      this.gateways = new Map([
        [secretKey, new StripeGateway(secretKey, this.deps.config.stripeApiBase, this.deps.logger)],
      ]);
      gateway = this.gateways.get(secretKey)!;
    }
    return gateway;
  }

  async storeKeys(patch: {
    stripe_secret_key?: string | null;
    stripe_webhook_secret?: string | null;
  }): Promise<void> {
    const entries: Record<string, unknown> = {};
    if (patch.stripe_secret_key !== undefined) entries[SECRET_KEY] = patch.stripe_secret_key;
    if (patch.stripe_webhook_secret !== undefined)
      entries[WEBHOOK_SECRET] = patch.stripe_webhook_secret;
    await repo.writePaymentSettings(this.deps.db, entries, this.deps.clock.now().toISOString());
  }

  async setOpen(open: boolean, db: Db = this.deps.db): Promise<void> {
    await repo.writePaymentSettings(db, { [OPEN]: open }, this.deps.clock.now().toISOString());
  }
}

/** "sk_test_…4242": enough for staff to recognise a key, useless to anyone else. */
export function keyHint(key: string | undefined): string | null {
  if (!key) return null;
  const prefix = /^(sk|rk|whsec)_(test_|live_)?/.exec(key)?.[0] ?? '';
  return `${prefix}…${key.slice(-4)}`;
}
