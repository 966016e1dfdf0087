import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { AppError, notFound } from '../../platform/errors.js';
import { csrfToken, parseWith, readJson } from '../../platform/http/index.js';
import type { SiteAssets } from '../../site/site-assets.js';
import type { SiteView } from '../../site/views/layout.js';
import type { SettingsService } from '../settings/index.js';
import { emailSchema } from '../staff/index.js';
import {
  clearMemberCookie,
  memberCookie,
  memberSession,
  requireMember,
  setMemberCookie,
  type MemberEnv,
} from './member-session.js';
import {
  linkProblemOf,
  memberNameSchema,
  type MembersService,
  type NewSession,
  type SessionMember,
} from './members.service.js';
import type { Member, TokenPurpose } from './members.types.js';
import {
  CHOSEN_AMOUNT_CHECKOUT_PATH,
  accountDeletedPage,
  accountPage,
  checkInboxPage,
  confirmLinkPage,
  linkProblemPage,
  NEWSLETTERS_SHOWN_FIELD,
  signinPage,
  subscribePage,
  type AccountPageState,
  type AccountSection,
  type PlansOffer,
  type SubscribeValues,
} from './members.views.js';
import type { NewslettersService } from './newsletters.service.js';
import {
  MAX_PLEDGE_MAJOR,
  PLEDGE_INTERVALS,
  toMinorUnits,
  type PledgeInterval,
  type PledgesService,
} from './pledges.service.js';

/**
 * Paid plans as the payments module provides them (wired in the composition root, so this
 * module imports nothing from payments): what is on offer, and Stripe Checkout.
 */
export interface MemberPlans {
  offer(): Promise<PlansOffer>;
  /** Answers the Stripe Checkout page to send the member to. Amounts in minor units. */
  startCheckout(
    member: Member,
    choice: { tier_id: string; interval: PledgeInterval; amount?: number },
  ): Promise<{ url: string }>;
}

export interface MemberRoutesDeps {
  service: MembersService;
  newsletters: NewslettersService;
  pledges: PledgesService;
  settings: Pick<SettingsService, 'get'>;
  assets: SiteAssets;
  publicUrl: string;
  secureCookies: boolean;
  /** Without it the account page shows the member's status and the pledge form only. */
  plans?: MemberPlans;
}

/**
 * The request-a-link forms post here from cached pages that cannot carry a CSRF token. They
 * only ever send an email (rate-limited per IP and per address); acting on the link needs a
 * CSRF-protected POST. Pass these to `csrfProtection({ exemptPaths })`.
 */
export const MEMBER_CSRF_EXEMPT_PATHS: ReadonlySet<string> = new Set([
  '/subscribe',
  '/signin',
  '/api/members/signup',
  '/api/members/signin',
]);

const signupSchema = z
  .object({
    email: emailSchema,
    name: memberNameSchema.optional(),
    newsletters: z.array(z.string().trim().max(80)).max(50).optional(),
  })
  .strict();
const signinSchema = z.object({ email: emailSchema }).strict();
const emailChangeSchema = z.object({ email: emailSchema }).strict();
const accountPatchSchema = z
  .object({
    name: memberNameSchema,
    newsletters: z.array(z.string().trim().max(80)).max(50),
  })
  .partial()
  .strict();
const pledgeSchema = z
  .object({
    amount: z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_PLEDGE_MAJOR, `must be at most ${MAX_PLEDGE_MAJOR}`),
    interval: z.enum(PLEDGE_INTERVALS, { message: 'must be month or year' }),
  })
  .strict();
const deleteSchema = z.object({ confirm: z.string().max(100) }).strict();
/** The largest whole amount a reader may choose: Stripe's ceiling of 99,999,999 minor units. */
const MAX_CHOSEN_MAJOR = 999_999;
/** A chosen amount is typed in whole units of the tier's currency, like a pledge. */
const chosenAmountSchema = z
  .object({
    tier_id: z.string().trim().min(1, 'is required').max(100),
    interval: z.enum(PLEDGE_INTERVALS, { message: 'must be month or year' }),
    amount: z.coerce
      .number({ message: 'must be a whole number' })
      .int('must be a whole number')
      .min(1, 'must be at least 1')
      .max(MAX_CHOSEN_MAJOR, `must be at most ${MAX_CHOSEN_MAJOR}`),
  })
  .strict();

/** The same words for every link request, so the answer says nothing about the address. */
const CHECK_EMAIL = {
  status: 'check_email',
  message: 'If the address can receive email, a link is on its way. It works once.',
} as const;

const SAVED_NOTICES: Record<string, string> = {
  name: 'Your name is saved.',
  email_sent: 'Check the inbox of your new address: follow the link there to switch to it.',
  email_changed: 'Your email address has been changed.',
  newsletters: 'Your newsletters are saved.',
  pledge: 'Thank you: your pledge is saved.',
  pledge_withdrawn: 'Your pledge is withdrawn.',
};

/** Where Stripe Checkout sends the reader back to (`?checkout=…`). */
const CHECKOUT_NOTICES: Record<string, string> = {
  success: 'Thank you for subscribing! Your plan shows here as soon as Stripe confirms it.',
  cancelled: 'Checkout was cancelled. You have not been charged.',
};

type Form = Record<string, string | File | (string | File)[]>;

function formString(form: Form, key: string): string {
  const v = form[key];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
}

function formList(form: Form, key: string): string[] {
  const v = form[key];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** Errors a person can fix are shown on the form; anything else goes to the error handler. */
function isUserError(error: unknown): error is AppError {
  return error instanceof AppError && error.status < 500;
}

/** Member pages are personal or carry tokens: never cached, never sent on as a Referer. */
function personal(c: Context, body: string, status: AppError['status'] = 200) {
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  if (status === 429) c.header('Retry-After', '60');
  return c.html(body, status);
}

/** `/subscribe`, `/signin`, `/signout`, `/members/*` (emailed links) and `/account…`; mount at '/'. */
export function createMemberSiteRoutes(deps: MemberRoutesDeps) {
  const { service, newsletters, pledges, secureCookies } = deps;
  const publicUrl = deps.publicUrl.replace(/\/+$/, '');
  const app = new Hono<MemberEnv>();
  const session = memberSession(service);
  const site = async (): Promise<SiteView> => ({
    settings: await deps.settings.get(),
    assets: deps.assets,
    publicUrl,
  });

  // --- asking for a link (no CSRF: see MEMBER_CSRF_EXEMPT_PATHS) ---------------------------

  app.get('/subscribe', async (c) =>
    personal(c, subscribePage(await site(), await newsletters.listActive())),
  );

  app.post('/subscribe', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const values: SubscribeValues = {
      email: formString(form, 'email'),
      name: formString(form, 'name'),
      // Footer forms offer no choice (defaults apply); a form that showed the boxes sends
      // the marker, so ticking none means none.
      ...(form[NEWSLETTERS_SHOWN_FIELD] !== undefined
        ? { newsletters: formList(form, 'newsletters') }
        : {}),
    };
    try {
      const input = parseWith(signupSchema, values);
      await service.requestSignup({ ...input, ip: c.get('clientIp') });
      return personal(c, checkInboxPage(await site(), 'signup', input.email));
    } catch (error) {
      if (!isUserError(error)) throw error;
      const page = subscribePage(
        await site(),
        await newsletters.listActive(),
        values,
        error.message,
      );
      return personal(c, page, error.status);
    }
  });

  app.get('/signin', session, async (c) => {
    if (c.get('member')) return c.redirect('/account', 302);
    return personal(c, signinPage(await site()));
  });

  app.post('/signin', async (c) => {
    const email = formString(await c.req.parseBody(), 'email');
    try {
      const input = parseWith(signinSchema, { email });
      await service.requestSignin({ email: input.email, ip: c.get('clientIp') });
      return personal(c, checkInboxPage(await site(), 'signin', input.email));
    } catch (error) {
      if (!isUserError(error)) throw error;
      return personal(c, signinPage(await site(), email, error.message), error.status);
    }
  });

  app.post('/signout', async (c) => {
    const token = memberCookie(c);
    if (token) await service.signOut(token);
    clearMemberCookie(c);
    return c.redirect('/', 303);
  });

  // --- following a link: GET shows a button, only the POST acts ---------------------------

  const linkPaths: Record<TokenPurpose, string> = {
    signup: '/members/confirm',
    signin: '/members/signin',
    email_change: '/members/email',
  };
  /** Acts on a link; says where to go next. */
  const complete: Record<
    TokenPurpose,
    (token: string, previous?: string) => Promise<{ session: NewSession; next: string }>
  > = {
    signup: async (token, previous) => {
      const { session, created } = await service.confirmSignup(token, previous);
      // An address that became a member meanwhile is signed in, not welcomed again.
      return { session, next: created ? '/account?welcome=1' : '/account' };
    },
    signin: async (token, previous) => ({
      session: (await service.completeSignin(token, previous)).session,
      next: '/account',
    }),
    email_change: async (token, previous) => ({
      session: (await service.confirmEmailChange(token, previous)).session,
      next: '/account?saved=email_changed',
    }),
  };

  const linkProblem = async (c: Context, purpose: TokenPurpose, error: unknown) => {
    const problem = linkProblemOf(error);
    if (!problem || !(error instanceof AppError)) throw error;
    return personal(
      c,
      linkProblemPage(await site(), purpose, problem, error.message),
      error.status,
    );
  };

  for (const [purpose, path] of Object.entries(linkPaths) as [TokenPurpose, string][]) {
    app.get(path, async (c) => {
      const token = c.req.query('token') ?? '';
      try {
        const { email } = await service.checkLink(purpose, token);
        const csrf = csrfToken(c, secureCookies);
        return personal(c, confirmLinkPage(await site(), purpose, token, email, csrf));
      } catch (error) {
        return linkProblem(c, purpose, error);
      }
    });
    app.post(path, async (c) => {
      const token = formString(await c.req.parseBody(), 'token');
      try {
        const { session, next } = await complete[purpose](token, memberCookie(c));
        setMemberCookie(c, session.token, secureCookies);
        return c.redirect(next, 303);
      } catch (error) {
        return linkProblem(c, purpose, error);
      }
    });
  }

  // --- the account ------------------------------------------------------------------------

  const renderAccount = async (
    c: Context<MemberEnv>,
    member: SessionMember,
    state: AccountPageState,
    status: AppError['status'] = 200,
  ) => {
    const [view, account, plans] = await Promise.all([
      site(),
      service.account(member),
      deps.plans?.offer() ?? Promise.resolve(null),
    ]);
    const page = accountPage(view, account, csrfToken(c, secureCookies), state, plans);
    return personal(c, page, status);
  };

  app.get('/account', session, async (c) => {
    const member = c.get('member');
    if (!member) return c.redirect('/signin', 302);
    const saved = c.req.query('saved');
    const checkout = c.req.query('checkout');
    const notice =
      c.req.query('welcome') !== undefined
        ? 'Welcome! Your subscription is confirmed.'
        : saved !== undefined
          ? SAVED_NOTICES[saved]
          : checkout !== undefined
            ? CHECKOUT_NOTICES[checkout]
            : undefined;
    return renderAccount(c, member, notice ? { notice } : {});
  });

  /**
   * One account form: act, then back to the account page (POST/redirect/GET); a mistake is
   * shown in the form's own section with what was typed.
   */
  const accountForm = (
    path: string,
    section: AccountSection,
    act: (member: SessionMember, form: Form) => Promise<string>,
  ) =>
    app.post(path, session, async (c) => {
      const member = c.get('member');
      if (!member) return c.redirect('/signin', 303);
      const form = await c.req.parseBody({ all: true });
      try {
        return c.redirect(await act(member, form), 303);
      } catch (error) {
        if (!isUserError(error)) throw error;
        const values = {
          email: formString(form, 'email'),
          name: formString(form, 'name'),
          amount: formString(form, 'amount'),
          interval: formString(form, 'interval'),
          tier_id: formString(form, 'tier_id'),
        };
        const state = { error: { section, message: error.message }, values };
        return renderAccount(c, member, state, error.status);
      }
    });

  accountForm('/account/name', 'name', async (member, form) => {
    const { name } = parseWith(accountPatchSchema, { name: formString(form, 'name') });
    await service.updateAccount(member, { name });
    return '/account?saved=name';
  });
  accountForm('/account/email', 'email', async (member, form) => {
    const { email } = parseWith(emailChangeSchema, { email: formString(form, 'email') });
    await service.requestEmailChange(member, email);
    return '/account?saved=email_sent';
  });
  accountForm('/account/newsletters', 'newsletters', async (member, form) => {
    await service.updateAccount(member, { newsletters: formList(form, 'newsletters') });
    return '/account?saved=newsletters';
  });
  accountForm('/account/pledge', 'pledge', async (member, form) => {
    const input = parseWith(pledgeSchema, {
      amount: formString(form, 'amount'),
      interval: formString(form, 'interval'),
    });
    await pledges.pledge(member.id, input);
    return '/account?saved=pledge';
  });
  accountForm('/account/pledge/withdraw', 'pledge', async (member) => {
    await pledges.withdraw(member.id);
    return '/account?saved=pledge_withdrawn';
  });
  /**
   * Checkout with an amount the reader chose (the founding tier). Readers type whole units
   * ("150"); the payments module takes minor units, in the tier's own currency. Fixed prices
   * need no conversion: their buttons post to the payments module's form route directly.
   */
  accountForm(CHOSEN_AMOUNT_CHECKOUT_PATH, 'plans', async (member, form) => {
    if (!deps.plans) throw notFound('Page');
    const input = parseWith(chosenAmountSchema, {
      tier_id: formString(form, 'tier_id'),
      interval: formString(form, 'interval'),
      amount: formString(form, 'amount'),
    });
    const tier = (await deps.plans.offer()).tiers.find((t) => t.id === input.tier_id);
    if (!tier) throw notFound('Tier');
    const { url } = await deps.plans.startCheckout(member, {
      ...input,
      amount: toMinorUnits(input.amount, tier.currency),
    });
    return url;
  });

  app.post('/account/delete', session, async (c) => {
    const member = c.get('member');
    if (!member) return c.redirect('/signin', 303);
    try {
      await service.deleteAccount(member, formString(await c.req.parseBody(), 'confirm'));
    } catch (error) {
      if (!isUserError(error)) throw error;
      return renderAccount(
        c,
        member,
        { error: { section: 'delete', message: error.message } },
        error.status,
      );
    }
    clearMemberCookie(c);
    return personal(c, accountDeletedPage(await site()));
  });

  return app;
}

/** `/api/members/…`: JSON twins of the forms, authenticated by the member cookie + X-CSRF-Token. */
export function createMembersApi(
  deps: Pick<MemberRoutesDeps, 'service' | 'pledges' | 'secureCookies'>,
) {
  const { service, pledges, secureCookies } = deps;
  const api = new Hono<MemberEnv>();
  const session = memberSession(service);
  api.use('/me', session);
  api.use('/me/*', session);
  api.use('*', async (c, next) => {
    c.header('Cache-Control', 'no-store');
    await next();
  });

  api.post('/signup', async (c) => {
    const input = await readJson(c, signupSchema);
    await service.requestSignup({ ...input, ip: c.get('clientIp') });
    return c.json(CHECK_EMAIL, 202);
  });

  api.post('/signin', async (c) => {
    const input = await readJson(c, signinSchema);
    await service.requestSignin({ email: input.email, ip: c.get('clientIp') });
    return c.json(CHECK_EMAIL, 202);
  });

  api.delete('/session', async (c) => {
    const token = memberCookie(c);
    if (token) await service.signOut(token);
    clearMemberCookie(c);
    return c.body(null, 204);
  });

  api.get('/me', async (c) => {
    const account = await service.account(requireMember(c));
    return c.json({ ...account, csrf_token: csrfToken(c, secureCookies) });
  });

  api.patch('/me', async (c) => {
    const member = requireMember(c);
    const patch = await readJson(c, accountPatchSchema);
    const updated = await service.updateAccount(member, patch);
    return c.json(await service.account(updated));
  });

  api.post('/me/email', async (c) => {
    const member = requireMember(c);
    const { email } = await readJson(c, emailChangeSchema);
    await service.requestEmailChange(member, email);
    return c.json({ status: 'check_email', message: `Follow the link we sent to ${email}.` }, 202);
  });

  api.post('/me/pledge', async (c) => {
    const member = requireMember(c);
    const input = await readJson(c, pledgeSchema);
    const { pledge, created } = await pledges.pledge(member.id, input);
    return c.json({ pledge }, created ? 201 : 200);
  });

  api.delete('/me/pledge', async (c) => {
    await pledges.withdraw(requireMember(c).id);
    return c.body(null, 204);
  });

  api.delete('/me', async (c) => {
    const member = requireMember(c);
    const { confirm } = await readJson(c, deleteSchema);
    await service.deleteAccount(member, confirm);
    clearMemberCookie(c);
    return c.body(null, 204);
  });

  return api;
}
