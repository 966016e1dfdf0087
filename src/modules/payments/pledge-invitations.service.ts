import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import type { Logger } from '../../platform/logger.js';
import type { Mailer } from '../../platform/mailer/index.js';
import { pledgeInvitationEmail } from './pledge-invitation.email.js';
import { invitedMemberIds, recordInvited } from './payment-settings.repository.js';
import type { PaymentSettings } from './payment-settings.js';
import type { PledgePort } from './payments.types.js';
import type { TiersService } from './tiers.service.js';

export interface PledgeInvitationsDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  mailer: Mailer;
  settings: PaymentSettings;
  tiers: TiersService;
  pledges: PledgePort;
  publicUrl: string;
  siteTitle: () => Promise<string>;
}

/**
 * Emails every active pledger once, when paid subscriptions open. Each invitation is recorded
 * right after its email is sent, so a job that is run again (or retried after a crash)
 * skips those already invited; only a crash between one send and its record can repeat
 * that one email.
 */
export class PledgeInvitations {
  constructor(private readonly deps: PledgeInvitationsDeps) {}

  async inviteAll(): Promise<{ invited: number; skipped: number }> {
    const { db, logger } = this.deps;
    if (!(await this.deps.settings.current()).checkoutOpen) {
      logger.info('paid subscriptions are closed; no pledger invited');
      return { invited: 0, skipped: 0 };
    }
    const [pledges, already, tiers, siteTitle] = await Promise.all([
      this.deps.pledges.activePledges(),
      invitedMemberIds(db),
      this.deps.tiers.list({ activeOnly: false }),
      this.deps.siteTitle(),
    ]);
    const tierNames = new Map(tiers.map((t) => [t.id, t.name]));
    let invited = 0;
    let skipped = 0;
    for (const pledge of pledges) {
      if (already.has(pledge.member_id)) {
        skipped++;
        continue;
      }
      await this.deps.mailer.send(
        pledgeInvitationEmail({
          pledge,
          siteTitle,
          tierName: pledge.tier_id ? (tierNames.get(pledge.tier_id) ?? null) : null,
          accountUrl: `${this.deps.publicUrl}/account`,
        }),
      );
      const at = this.deps.clock.now().toISOString();
      await recordInvited(db, pledge.member_id, at);
      // The members module records the invitation in the pledge and the member's history.
      await this.deps.pledges.markInvited([pledge.member_id], at);
      already.add(pledge.member_id);
      invited++;
    }
    logger.info({ invited, skipped }, 'pledgers invited to subscribe');
    return { invited, skipped };
  }
}
