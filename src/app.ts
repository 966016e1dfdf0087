import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { systemClock, type Clock } from './platform/clock.js';
import { appSecret } from './platform/app-state.js';
import { ContentVersion } from './platform/cache/content-version.js';
import type { Config } from './platform/config.js';
import { migrate, migrations, openDatabase, type DatabaseHandle } from './platform/db/index.js';
import { notFound } from './platform/errors.js';
import {
  csrfProtection,
  errorHandler,
  limitBody,
  requestContext,
  requestIdFrom,
  type BaseEnv,
} from './platform/http/index.js';
import { JobQueue, JobWorker } from './platform/jobs/index.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createMailer, type Mailer } from './platform/mailer/index.js';
import { RateLimiter } from './platform/security/rate-limit.js';
import {
  createHealthRoutes,
  createJobsApi,
  registerMaintenanceJobs,
  scheduleCleanup,
} from './modules/operations/index.js';
import { createFeedbackModule, UNSUBSCRIBE_LOCAL_PART } from './modules/email/feedback/index.js';
import { createEmailSettingsApi, EmailSettingsService } from './modules/email/index.js';
import { loadAdminShell } from './modules/admin-app/index.js';
import { createAnalyticsModule } from './modules/analytics/index.js';
import { createMediaApi, createMediaRoutes, MediaService } from './modules/media/index.js';
import {
  createSendsApi,
  registerEmailSendJobs,
  SendsService,
} from './modules/email/sends/index.js';
import { createMembersAdmin } from './modules/members/admin/index.js';
import { createPaymentsModule, registerPaymentJobs } from './modules/payments/index.js';
import { createPostsApi, PostsService, PUBLISH_JOB } from './modules/posts/index.js';
import {
  createMembersModule,
  readerCanRead,
  readerLevel,
  MEMBER_COOKIE,
  viewerOf,
} from './modules/members/index.js';
import { createSettingsApi, SettingsService } from './modules/settings/index.js';
import {
  createAdminPages,
  createStaffApi,
  InvitationsService,
  PasswordResetService,
  StaffService,
} from './modules/staff/index.js';
import { createTagsApi, TagsService } from './modules/tags/index.js';
import {
  createPostPreviewRenderer,
  createSiteRoutes,
  loadSiteAssets,
  PageCache,
  siteErrorRenderer,
  type SiteContent,
} from './site/index.js';

export interface PressroomOptions {
  config: Config;
  logger?: Logger;
  clock?: Clock;
  /** An already-open database (tests); otherwise one is opened from config. */
  database?: DatabaseHandle;
  /** How often other processes' content changes are noticed; default 1 s. */
  contentPollMs?: number;
  /** A mailer to use instead of the configured one (tests). */
  mailer?: Mailer;
  /**
   * The environment the payments settings (STRIPE_*) are read from, validated at start like
   * the rest of the configuration; `process.env` by default.
   */
  env?: Record<string, string | undefined>;
}

export type Pressroom = Awaited<ReturnType<typeof createPressroom>>;

/**
 * The composition root: opens the database, applies migrations, builds every service with
 * its dependencies and mounts the routes. Nothing else wires things together.
 */
export async function createPressroom(options: PressroomOptions) {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.logLevel);
  const clock = options.clock ?? systemClock;
  const database = options.database ?? (await openDatabase(config.database));
  const { db, dialect } = database;
  const applied = await migrate(db as never, dialect, migrations);
  if (applied.length > 0) logger.info({ applied }, 'migrations applied');

  const pageCache = new PageCache({ enabled: config.pageCache });
  const contentVersion = new ContentVersion({ db, logger, pollMs: options.contentPollMs ?? 1000 });
  // Anything a reader sees changed: drop our cached pages now and tell the other processes.
  const onContentChange = async () => {
    pageCache.clear();
    await contentVersion.bump();
  };

  const transactional =
    options.mailer ??
    createMailer({ ...config.mail, messageIdDomain: new URL(config.publicUrl).hostname }, logger);
  // Addresses that bounced hard or complained get no more mail of any kind: sign-in links
  // and confirmations included. (The suppression list belongs to the email module, built
  // below; this only asks it.)
  const mailer: Mailer = {
    async send(message) {
      if (await feedback.service.isSuppressed(message.to)) {
        logger.info({ subject: message.subject }, 'not sent: the address is suppressed');
        return { messageId: '', suppressed: true };
      }
      return transactional.send(message);
    },
    close: () => transactional.close(),
  };
  const jobs = new JobQueue({ db, clock });
  const rateLimiter = new RateLimiter({ db, clock });
  const staff = new StaffService({ db, clock, logger, rateLimiter, onChange: onContentChange });
  const settings = new SettingsService({ db, logger, onChange: onContentChange });
  const staffLinks = {
    db,
    clock,
    logger,
    mailer,
    rateLimiter,
    staff,
    settings,
    publicUrl: config.publicUrl,
  };
  const invitations = new InvitationsService(staffLinks);
  const passwordResets = new PasswordResetService(staffLinks);
  const tags = new TagsService({ db, clock, onChange: onContentChange });
  const posts: PostsService = new PostsService({
    db,
    clock,
    logger,
    jobs,
    tags,
    staff,
    onChange: onContentChange,
    // `sends` is built further down, once the secret is known; these run later.
    email: {
      check: async (target): Promise<void> => {
        await sends.requireTransport('email_newsletter_id');
        await sends.checkTarget(target);
      },
      published: (executor, postId): Promise<void> => sends.queuePostEmail(executor, postId),
    },
  });
  const secureCookies = config.publicUrl.startsWith('https://');
  const assets = loadSiteAssets();
  const members = createMembersModule({
    db,
    clock,
    logger,
    mailer,
    rateLimiter,
    settings,
    staff,
    config: { publicUrl: config.publicUrl, secureCookies },
    assets,
    pledgeCurrency: async () => (await settings.get()).currency,
    billingSummary: (memberId) => payments.billingSummary(memberId),
    plans: {
      offer: async () => {
        const [tiers, state] = await Promise.all([
          payments.service.tiers.list({ activeOnly: true }),
          payments.service.settings.current(),
        ]);
        return { tiers, checkoutAvailable: state.checkoutOpen };
      },
      startCheckout: (member, choice) => payments.service.checkout.startCheckout(member, choice),
    },
  });
  const membersAdmin = createMembersAdmin({ db, clock, logger, staff });
  const analytics = createAnalyticsModule({ db, clock, logger, staff });
  // One secret signs unsubscribe links and bounce addresses; sends and feedback must agree.
  const secret = await appSecret(db);
  const feedback = createFeedbackModule({
    db,
    clock,
    logger,
    settings,
    assets,
    secret,
    inboundSecret: config.mail.inboundSecret,
    bounceDomain: config.mail.bounceDomain,
    publicUrl: config.publicUrl,
  });
  const memberOf = (c: Context) => {
    const token = getCookie(c, MEMBER_COOKIE);
    return token ? members.service.authenticateSession(token) : Promise.resolve(undefined);
  };
  const payments = createPaymentsModule({
    db,
    clock,
    logger,
    mailer,
    jobs,
    staff,
    config: { publicUrl: config.publicUrl },
    env: options.env ?? process.env,
    siteTitle: async () => (await settings.get()).title,
    getMember: memberOf,
    pledges: {
      activePledges: () => members.pledges.activePledges(),
      markConverted: (memberId) => members.pledges.markConverted(memberId),
      markInvited: async (ids) => {
        for (const id of ids) await members.pledges.markInvited(id);
      },
    },
  });

  const content: SiteContent = {
    listPublished: (q) => posts.listPublished(q),
    getPublished: (slug, level) =>
      posts.getPublished(slug, (visibility, tiers) => readerCanRead(level, visibility, tiers)),
    redirectFor: (slug) => posts.redirectFor(slug),
    archiveMonths: () => posts.archiveMonths(),
    sitemapEntries: () => posts.sitemapEntries(),
    sitemapTags: () => posts.sitemapTags(),
    sitemapAuthors: () => posts.sitemapAuthors(),
    findTag: async (slug) => {
      const tag = await tags.findBySlug(slug);
      return tag && { id: tag.id, slug: tag.slug, name: tag.name, description: tag.description };
    },
    // Only people with published posts have a public page: staff lists are not public.
    findAuthor: async (slug) => {
      const s = await staff.findBySlug(slug);
      if (!s || (await posts.listPublished({ page: 1, limit: 1, authorSlug: slug })).total === 0)
        return undefined;
      return { id: s.id, slug: s.slug, name: s.name, bio: s.bio };
    },
    settings: () => settings.get(),
  };

  // Newsletter sends go through Postmark or an SMTP relay (DKIM-signed when configured), as
  // the environment says or, failing that, as staff set in the admin; without either there
  // is nothing to send through, and sending answers with what to set up.
  const emailSettings = new EmailSettingsService({
    db,
    clock,
    logger,
    config: {
      newsletter: config.mail.newsletter,
      dkim: config.mail.dkim,
      postmarkApiBase: config.mail.postmarkApiBase,
      from: config.mail.from,
      publicUrl: config.publicUrl,
      bounceDomain: config.mail.bounceDomain,
      bouncePort: config.mail.bouncePort,
      secret,
    },
  });
  const sendsConfig = {
    publicUrl: config.publicUrl,
    bounceDomain: config.mail.bounceDomain,
    secret,
    from: config.mail.from,
    ...(config.mail.sendRate === undefined ? {} : { rate: config.mail.sendRate }),
    // Mail to it arrives at the bounce listener; without one, a mailto would go nowhere.
    ...(config.mail.bouncePort === undefined
      ? {}
      : { unsubscribeMailbox: `${UNSUBSCRIBE_LOCAL_PART}@${config.mail.bounceDomain}` }),
  };
  const sends: SendsService = new SendsService({
    db,
    clock,
    logger,
    jobs,
    posts,
    settings,
    transports: emailSettings,
    config: sendsConfig,
  });

  const media = new MediaService({
    dataDir: config.dataDir,
    clock,
    logger,
    maxBytes: config.imageLimitBytes,
  });

  const app = new Hono<BaseEnv>();
  app.use('*', requestContext(logger, config.trustProxy));
  app.use('*', async (c, next) => {
    // Only requests that carry a body pay for the size check.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    // The member import streams its body and needs a larger limit than any other request.
    // Image uploads too (with room for the multipart framing); each checks its own size.
    const limit =
      c.req.path === '/api/admin/members/import'
        ? membersAdmin.importLimitBytes
        : c.req.path === '/api/admin/images'
          ? media.maxBytes + 64 * 1024
          : config.bodyLimitBytes;
    return limitBody(limit)(c, next);
  });
  // The signup and sign-in request forms sit on cached pages shared by everyone, so they
  // cannot carry a per-visitor token; rate limits and the email round-trip protect them.
  app.use(
    '*',
    csrfProtection({
      publicOrigin: new URL(config.publicUrl).origin,
      // Stripe's webhook is authenticated by its signature instead.
      // Unsubscribe links carry a signed token; inbound bounces a shared secret.
      exemptPaths: (path) =>
        members.csrfExemptPaths(path) ||
        path === payments.webhookPath ||
        feedback.csrfExemptPaths(path),
    }),
  );
  app.onError(errorHandler(siteErrorRenderer({ content, assets })));
  app.notFound(() => {
    throw notFound('Page');
  });

  app.route('/', createHealthRoutes({ db }));
  app.route('/api/admin', createStaffApi({ staff, invitations, secureCookies }));
  app.route(
    '/api/admin/posts',
    createPostsApi({
      posts,
      staff,
      // The site's own post template, so a draft previews as readers will see it.
      renderPreview: createPostPreviewRenderer({
        settings: () => settings.get(),
        assets,
        publicUrl: config.publicUrl,
      }),
    }),
  );
  app.route('/api/admin/tags', createTagsApi({ tags, staff }));
  app.route('/api/admin/images', createMediaApi({ media, staff }));
  app.route('/api/admin/settings', createSettingsApi({ settings, staff }));
  app.route('/api/admin/dashboard', analytics.routes.admin);
  app.route('/api/admin/email', createEmailSettingsApi({ staff, emailSettings }));
  app.route('/api/admin/jobs', createJobsApi({ jobs, staff }));
  app.route(
    '/api/admin/sends',
    createSendsApi({
      staff,
      sends,
      testEmail: { posts, settings, transports: emailSettings, config: sendsConfig },
      preview: { posts, settings, config: { publicUrl: config.publicUrl } },
    }),
  );
  app.route('/api/members', members.routes.api);
  app.route('/api/members', payments.routes.api);
  app.route('/api/admin/members', membersAdmin.routes);
  app.route('/api/admin', members.routes.admin);
  app.route('/api/admin', payments.routes.admin);
  app.route(
    '/admin',
    createAdminPages({
      staff,
      invitations,
      passwordResets,
      secureCookies,
      shell: loadAdminShell(),
    }),
  );
  app.route('/', members.routes.site);
  app.route('/', payments.routes.site);
  app.route('/', createMediaRoutes({ media }));
  app.route('/', feedback.routes.api);
  app.route('/', feedback.routes.site);
  // Page views: registered here, so it sees only what the site routes below answer.
  app.use('*', analytics.counter.middleware());
  app.route(
    '/',
    createSiteRoutes({
      content,
      cache: pageCache,
      publicUrl: config.publicUrl,
      assets,
      // No member cookie: anonymous, decided without touching the database.
      readerLevel: (c) => {
        if (!getCookie(c, MEMBER_COOKIE)) return 'anonymous';
        return memberOf(c).then((member) => readerLevel(viewerOf(member), clock.now()));
      },
    }),
  );

  const makeWorker = () => {
    const worker = new JobWorker({
      db,
      dialect,
      clock,
      logger,
      queue: jobs,
      concurrency: config.workerConcurrency,
      leaseMs: config.jobLeaseMs,
    });
    worker.register(PUBLISH_JOB, async (payload) =>
      posts.publishScheduled((payload as { postId: string }).postId),
    );
    registerMaintenanceJobs(worker, {
      jobs,
      clock,
      rateLimiter,
      sweeps: [
        () => staff.purgeExpiredSessions(),
        () => invitations.purgeExpired(),
        () => passwordResets.purgeExpired(),
        () => members.service.purgeExpired(),
      ],
    });
    registerPaymentJobs(worker, payments);
    registerEmailSendJobs(worker, sends);
    return worker;
  };

  const appListener = getRequestListener(app.fetch);
  /**
   * What Node's HTTP server calls. A cached page for a reader without a member session is
   * answered straight from memory (at a busy post, most requests); everything else goes
   * through the app, which renders and stores what this serves next time.
   */
  const requestListener = (req: IncomingMessage, res: ServerResponse) => {
    const served = pageCache.serveNode(req, res, {
      skip: (r) => r.headers.cookie?.includes(`${MEMBER_COOKIE}=`) === true,
      onHit: (out) => {
        const id = requestIdFrom(req.headers['x-request-id'] as string | undefined);
        out.setHeader('X-Request-Id', id);
        if (logger.isLevelEnabled('debug')) {
          logger.debug({ reqId: id, method: req.method, path: req.url, cache: 'hit' }, 'request');
        }
      },
    });
    if (!served) void appListener(req, res);
    else analytics.counter.recordServed(req, res);
  };

  let worker: JobWorker | undefined;
  return {
    app,
    requestListener,
    config,
    logger,
    clock,
    db,
    dialect,
    services: {
      staff,
      invitations,
      passwordResets,
      posts,
      tags,
      settings,
      jobs,
      rateLimiter,
      mailer,
      members: members.service,
      newsletters: members.newsletters,
      pledges: members.pledges,
      payments: payments.service,
      membersAdmin: membersAdmin.service,
      feedback: feedback.service,
      sends,
      emailSettings,
      analytics: analytics.service,
      pageViews: analytics.counter,
    },
    /** The SMTP listener for bounces (serve starts it when PRESSROOM_BOUNCE_PORT is set). */
    startBounceListener: feedback.startBounceListener,
    pageCache,
    /** Starts the background job worker in this process (serve does by default; worker always). */
    async startWorker() {
      worker ??= makeWorker();
      worker.start();
      await scheduleCleanup({ jobs }, clock.now());
      return worker;
    },
    /** Watches for content changes made by other processes (web processes need this). */
    async watchContent() {
      await contentVersion.start(() => pageCache.clear());
    },
    /** A worker not started in the background, for tests and one-shot CLI runs. */
    worker: () => (worker ??= makeWorker()),
    /** Releases claimed jobs, stops polling and closes the database. */
    async close(graceMs = 10_000) {
      contentVersion.stop();
      await worker?.stop(graceMs);
      // Sign-in links are sent after the response; let those in flight go out first.
      await members.service.settled();
      await passwordResets.settled();
      await mailer.close();
      await emailSettings.close();
      // The views counted since the last flush; after this, none are counted.
      await analytics.counter.stop();
      await database.destroy();
    },
  };
}
