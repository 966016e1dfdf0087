import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import * as repo from './analytics.repository.js';
import type { DashboardRange } from './analytics.schema.js';
import { lastDays, membersOverTime, type MembersDay } from './members-over-time.js';
import type { PageViewCounter } from './page-views.counter.js';

/** How many of the latest published posts the dashboard lists. */
export const RECENT_POSTS = 10;
/** The "recent" views column of the posts table. */
export const RECENT_VIEW_DAYS = 7;

export interface DashboardPost {
  id: string;
  title: string;
  slug: string;
  published_at: string | null;
  /** Web views, all time. */
  views: number;
  views_last_7_days: number;
  /** The newsletter send made when the post was published; null when it was not emailed. */
  email: {
    status: string;
    recipients: number;
    sent: number;
    bounced: number;
    complained: number;
    unsubscribed: number;
  } | null;
}

export interface Dashboard {
  days: DashboardRange;
  members: {
    days: MembersDay[];
    /** The last day's counts: the members there are now. */
    totals: { free: number; pledged: number; paid: number; total: number };
  };
  views: { days: { date: string; views: number }[]; total: number };
  posts: DashboardPost[];
}

export interface AnalyticsServiceDeps {
  db: Db;
  clock: Clock;
  counter: PageViewCounter;
}

export class AnalyticsService {
  constructor(private readonly deps: AnalyticsServiceDeps) {}

  async dashboard(range: DashboardRange): Promise<Dashboard> {
    const { db, clock, counter } = this.deps;
    // What this process counted goes in first, so a single-process site sees views at once.
    await counter.flush();
    const now = clock.now();
    const days = lastDays(now, range);
    const [members, events, deleted, viewsByDay, posts] = await Promise.all([
      repo.currentMembers(db),
      repo.statusEvents(db),
      repo.deletedMembersByDay(db),
      repo.viewsByDay(db, days[0]!),
      repo.recentPublishedPosts(db, RECENT_POSTS),
    ]);
    const recentFrom = lastDays(now, RECENT_VIEW_DAYS)[0]!;
    const postViews = await repo.viewsOfPosts(
      db,
      posts.map((p) => p.id),
      recentFrom,
    );

    const memberDays = membersOverTime({
      days,
      now,
      members,
      events: events.map((e) => ({ ...e, member_id: e.member_id! })),
      deleted,
    });
    const last = memberDays[memberDays.length - 1]!;
    const viewDays = days.map((date) => ({ date, views: viewsByDay.get(date) ?? 0 }));
    return {
      days: range,
      members: {
        days: memberDays,
        totals: {
          free: last.free,
          pledged: last.pledged,
          paid: last.paid,
          total: last.free + last.pledged + last.paid,
        },
      },
      views: { days: viewDays, total: viewDays.reduce((sum, d) => sum + d.views, 0) },
      posts: posts.map((p) => {
        const v = postViews.get(p.id);
        return {
          id: p.id,
          title: p.title,
          slug: p.slug,
          published_at: p.published_at,
          views: v?.views ?? 0,
          views_last_7_days: v?.recent ?? 0,
          email:
            p.send_id === null
              ? null
              : {
                  status: p.send_status!,
                  recipients: Number(p.send_total),
                  sent: Number(p.send_sent),
                  bounced: Number(p.send_bounced),
                  complained: Number(p.send_complained),
                  unsubscribed: Number(p.send_unsubscribed),
                },
        };
      }),
    };
  }
}
