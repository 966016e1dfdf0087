import { Hono, type Context } from 'hono';
import { unauthorized } from '../../platform/errors.js';
import { parseWith, readJson, type BaseEnv } from '../../platform/http/index.js';
import type { Member } from '../members/members.types.js';
import { authenticate, requireStaff, type AdminEnv, type StaffService } from '../staff/index.js';
import { PORTAL_FORM_PATH, WEBHOOK_PATH, type PaymentsService } from './payments.service.js';
import {
  checkoutSchema,
  paymentSettingsPatchSchema,
  tierCreateSchema,
  tierPatchSchema,
} from './payments.schema.js';
import { toPublicTier } from './tiers.service.js';

export type GetMember = (c: Context) => Promise<Member | undefined>;

interface MemberRouteDeps {
  payments: PaymentsService;
  getMember: GetMember;
}

async function signedInMember(c: Context, getMember: GetMember): Promise<Member> {
  const member = await getMember(c);
  if (!member) throw unauthorized('Sign in to your account first');
  return member;
}

/** Form fields as the JSON API would take them; anything else in the form is ignored. */
function checkoutForm(form: Record<string, unknown>) {
  const text = (key: string) => (typeof form[key] === 'string' ? (form[key] as string) : undefined);
  const amount = text('amount')?.trim();
  return {
    tier_id: text('tier_id') ?? '',
    interval: text('interval') ?? '',
    ...(amount ? { amount: /^\d+$/.test(amount) ? Number(amount) : amount } : {}),
  };
}

/**
 * Mounted at `/`: the HTML form twins of checkout and the portal (303 to Stripe), and the
 * Stripe webhook, which must be exempt from CSRF (Stripe signs it instead).
 */
export function createPaymentsSiteRoutes({ payments, getMember }: MemberRouteDeps) {
  const site = new Hono<BaseEnv>();

  site.post('/members/checkout', async (c) => {
    const member = await signedInMember(c, getMember);
    const input = parseWith(checkoutSchema, checkoutForm(await c.req.parseBody()));
    const { url } = await payments.checkout.startCheckout(member, input);
    return c.redirect(url, 303);
  });

  site.post(PORTAL_FORM_PATH, async (c) => {
    const { url } = await payments.checkout.openPortal(await signedInMember(c, getMember));
    return c.redirect(url, 303);
  });

  site.post(WEBHOOK_PATH, async (c) => {
    // The signature covers the exact bytes Stripe sent: read them raw, never re-serialised.
    const payload = new Uint8Array(await c.req.arrayBuffer());
    const outcome = await payments.webhooks.handle(payload, c.req.header('stripe-signature'));
    return c.json({ received: true, outcome });
  });

  return site;
}

/** Mounted at `/api/members`: pricing, checkout and the portal for the signed-in member. */
export function createPaymentsMemberApi({ payments, getMember }: MemberRouteDeps) {
  const api = new Hono<BaseEnv>();

  api.get('/tiers', async (c) => {
    const [tiers, state] = await Promise.all([
      payments.tiers.list({ activeOnly: true }),
      payments.settings.current(),
    ]);
    return c.json({
      tiers: tiers.map(toPublicTier),
      checkout_available: state.checkoutOpen,
    });
  });

  api.get('/billing', async (c) => {
    const member = await signedInMember(c, getMember);
    return c.json({ billing: await payments.billingSummary(member.id) });
  });

  api.post('/checkout', async (c) => {
    const member = await signedInMember(c, getMember);
    return c.json(await payments.checkout.startCheckout(member, await readJson(c, checkoutSchema)));
  });

  api.post('/billing-portal', async (c) =>
    c.json(await payments.checkout.openPortal(await signedInMember(c, getMember))),
  );

  return api;
}

/**
 * Mounted at `/api/admin`, beside other modules' routes: middleware is bound to this
 * module's paths only, never `*`, so it cannot apply to theirs.
 */
export function createPaymentsAdminApi(deps: { payments: PaymentsService; staff: StaffService }) {
  const { payments } = deps;
  const admin = new Hono<AdminEnv>();
  for (const path of ['/tiers/*', '/payments/*'])
    admin.use(path, authenticate(deps.staff), requireStaff('admin'));

  admin.get('/tiers', async (c) =>
    c.json({ tiers: await payments.tiers.list({ activeOnly: false }) }),
  );
  admin.post('/tiers', async (c) =>
    c.json({ tier: await payments.tiers.create(await readJson(c, tierCreateSchema)) }, 201),
  );
  admin.get('/tiers/:id', async (c) =>
    c.json({ tier: await payments.tiers.get(c.req.param('id')) }),
  );
  admin.patch('/tiers/:id', async (c) =>
    c.json({
      tier: await payments.tiers.update(c.req.param('id'), await readJson(c, tierPatchSchema)),
    }),
  );
  admin.post('/tiers/:id/archive', async (c) =>
    c.json({ tier: await payments.tiers.setActive(c.req.param('id'), false) }),
  );
  admin.post('/tiers/:id/unarchive', async (c) =>
    c.json({ tier: await payments.tiers.setActive(c.req.param('id'), true) }),
  );

  admin.get('/payments/settings', async (c) => c.json({ payments: await payments.settingsView() }));
  admin.patch('/payments/settings', async (c) =>
    c.json({ payments: await payments.storeKeys(await readJson(c, paymentSettingsPatchSchema)) }),
  );
  admin.post('/payments/open', async (c) =>
    c.json({ payments: await payments.openPaidSubscriptions() }),
  );
  admin.post('/payments/close', async (c) =>
    c.json({ payments: await payments.closePaidSubscriptions() }),
  );
  admin.get('/payments/summary', async (c) => c.json({ summary: await payments.summary() }));

  return admin;
}
