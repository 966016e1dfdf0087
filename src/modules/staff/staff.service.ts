import { randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.js';
import type { Db } from '../../platform/db/index.js';
import { AppError, conflict, forbidden, notFound, unauthorized } from '../../platform/errors.js';
import type { Logger } from '../../platform/logger.js';
import { generateToken, hashToken } from '../../platform/security/tokens.js';
import type { RateLimiter, RateRule } from '../../platform/security/rate-limit.js';
import { slugify, uniqueSlug } from '../../platform/slug.js';
import { canAssignRole, canManageStaffMember, ROLES, type Actor, type Role } from './roles.js';
import * as repo from './staff.repository.js';

export const SESSION_DAYS = 30;
/** A session's last-used time is written at most this often: reads should not all write. */
const TOUCH_EVERY_MS = 5 * 60_000;

export const SIGNIN_PER_IP: RateRule = {
  name: 'staff-signin:ip',
  limit: 20,
  windowSeconds: 15 * 60,
};
export const SIGNIN_PER_ACCOUNT: RateRule = {
  name: 'staff-signin:account',
  limit: 8,
  windowSeconds: 15 * 60,
};

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email({ message: 'must be a valid email address' }));
export const passwordSchema = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(256, 'must be at most 256 characters');
export const nameSchema = z.string().trim().min(1, 'is required').max(120);
export const roleSchema = z.enum(ROLES);

/** The signed-in staff member as the rest of the app sees them. */
export interface StaffIdentity extends Actor {
  email: string;
  name: string;
  slug: string;
}

export interface PublicStaff {
  id: string;
  email: string;
  name: string;
  slug: string;
  role: Role;
  bio: string | null;
  created_at: string;
}

const toPublic = (s: repo.StaffRecord): PublicStaff => ({
  id: s.id,
  email: s.email,
  name: s.name,
  slug: s.slug,
  role: s.role as Role,
  bio: s.bio,
  created_at: s.created_at,
});

const toIdentity = (s: {
  id: string;
  email: string;
  name: string;
  slug: string;
  role: string;
}): StaffIdentity => ({
  id: s.id,
  email: s.email,
  name: s.name,
  slug: s.slug,
  role: s.role as Role,
});

// Verifying against this when the email is unknown keeps the response time the same,
// so timing does not reveal which addresses have accounts.
let dummyHash: Promise<string> | undefined;

export interface StaffServiceDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
  rateLimiter: RateLimiter;
  /** Bylines show staff names: the page cache must hear when they change. */
  onChange?: () => Promise<void>;
}

export class StaffService {
  constructor(private readonly deps: StaffServiceDeps) {}

  private now() {
    return this.deps.clock.now().toISOString();
  }

  async hasOwner(): Promise<boolean> {
    return (await repo.findOwner(this.deps.db)) !== undefined;
  }

  async createOwner(input: {
    email: string;
    name: string;
    password: string;
  }): Promise<PublicStaff> {
    if (await this.hasOwner()) throw conflict('This publication already has an owner');
    return this.insert({ ...input, role: 'owner' });
  }

  private async insert(input: { email: string; name: string; password?: string; role: Role }) {
    const passwordHash = input.password ? await hash(input.password) : null;
    return this.insertHashed(this.deps.db, { ...input, passwordHash });
  }

  /**
   * Adds a staff member whose password is already hashed, on `db`, which may be a
   * transaction: an accepted invitation creates the account and uses up its link together.
   */
  async insertHashed(
    db: Db,
    input: { email: string; name: string; role: Role; passwordHash: string | null },
  ): Promise<PublicStaff> {
    const email = emailSchema.parse(input.email);
    if (await repo.findStaffByEmail(db, email)) {
      throw conflict(`A staff member with email ${email} already exists`, 'email');
    }
    const now = this.now();
    const slug = await uniqueSlug(slugify(input.name) || 'staff', (s) => repo.slugTaken(db, s));
    try {
      const row = await repo.insertStaff(db, {
        id: randomUUID(),
        email,
        name: input.name.trim(),
        slug,
        role: input.role,
        password_hash: input.passwordHash,
        bio: null,
        created_at: now,
        updated_at: now,
      });
      return toPublic(row);
    } catch (error) {
      // Two concurrent setups: the unique index decides, and the loser hears why.
      if (/unique|duplicate/i.test(String(error)))
        throw conflict(`${email} or its slug is taken`, 'email');
      throw error;
    }
  }

  /**
   * Password sign-in. Unknown email and wrong password get the same answer. Limited per IP
   * and per account, so neither one address nor one account can be hammered.
   */
  async signIn(input: {
    email: string;
    password: string;
    ip: string;
    userAgent?: string;
    previousSessionToken?: string;
  }): Promise<{ token: string; staff: StaffIdentity; expiresAt: Date }> {
    const email = input.email.trim().toLowerCase();
    await this.deps.rateLimiter.enforce(
      SIGNIN_PER_IP,
      input.ip,
      'Too many sign-in attempts from this address.',
    );
    await this.deps.rateLimiter.enforce(
      SIGNIN_PER_ACCOUNT,
      email,
      'Too many sign-in attempts for this account.',
    );
    const staff = await repo.findStaffByEmail(this.deps.db, email);
    dummyHash ??= hash('pressroom-dummy-password');
    const ok = await verify(staff?.password_hash ?? (await dummyHash), input.password).catch(
      () => false,
    );
    if (!staff || !staff.password_hash || !ok) {
      throw new AppError('invalid_credentials', 'Email or password is incorrect', { status: 401 });
    }
    // Rotation: whatever session the browser had before is gone; the new one is fresh.
    if (input.previousSessionToken) {
      await repo.deleteSessionByHash(this.deps.db, hashToken(input.previousSessionToken));
    }
    await this.deps.rateLimiter.reset(SIGNIN_PER_ACCOUNT, email);
    const { token, expiresAt } = await this.createSession(staff.id, input.ip, input.userAgent);
    this.deps.logger.info({ staff: staff.id }, 'staff signed in');
    return { token, staff: toIdentity(staff), expiresAt };
  }

  /** `db` may be a transaction, so a session starts only if what signed them in commits. */
  async createSession(
    staffId: string,
    ip: string | null,
    userAgent?: string,
    db: Db = this.deps.db,
  ) {
    const token = generateToken();
    const now = this.deps.clock.now();
    const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
    await repo.insertSession(db, {
      id: randomUUID(),
      token_hash: hashToken(token),
      staff_id: staffId,
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      last_used_at: now.toISOString(),
      ip,
      user_agent: userAgent?.slice(0, 300) ?? null,
    });
    return { token, expiresAt };
  }

  async authenticateSession(
    token: string,
  ): Promise<(StaffIdentity & { sessionId: string }) | undefined> {
    const row = await repo.findSessionByHash(this.deps.db, hashToken(token));
    if (!row) return undefined;
    const now = this.deps.clock.now();
    if (row.expires_at <= now.toISOString()) {
      await repo.deleteSession(this.deps.db, row.session_id);
      return undefined;
    }
    if (now.getTime() - Date.parse(row.last_used_at) > TOUCH_EVERY_MS) {
      await repo.touchSession(this.deps.db, row.session_id, now.toISOString());
    }
    return { ...toIdentity(row), sessionId: row.session_id };
  }

  async signOut(token: string): Promise<void> {
    await repo.deleteSessionByHash(this.deps.db, hashToken(token));
  }

  listSessions(staffId: string) {
    return repo.listSessions(this.deps.db, staffId);
  }

  /** Staff revoke their own sessions, and those of staff ranked below them. */
  async revokeSession(actor: Actor, sessionId: string): Promise<void> {
    const session = await repo.findSessionOwner(this.deps.db, sessionId);
    // Someone else's session the actor may not touch is "not found": no probing for ids.
    if (
      !session ||
      (session.staff_id !== actor.id && !canManageStaffMember(actor, session.role as Role))
    ) {
      throw notFound('Session');
    }
    await repo.deleteSession(this.deps.db, sessionId);
  }

  // --- API tokens -------------------------------------------------------------------

  /** Returns the token once; only its hash is stored. It acts as the given staff member. */
  async createApiToken(input: {
    name: string;
    staffId?: string;
  }): Promise<{ id: string; token: string; staff: PublicStaff }> {
    const name = nameSchema.parse(input.name);
    const staff = input.staffId
      ? await repo.findStaffById(this.deps.db, input.staffId)
      : await repo.findOwner(this.deps.db);
    if (!staff)
      throw new AppError('no_owner', 'Create the owner first (pressroom create-owner)', {
        status: 409,
      });
    const token = `pr_${generateToken()}`;
    const id = randomUUID();
    await repo.insertApiToken(this.deps.db, {
      id,
      name,
      token_hash: hashToken(token),
      staff_id: staff.id,
      created_at: this.now(),
      last_used_at: null,
      revoked_at: null,
    });
    return { id, token, staff: toPublic(staff) };
  }

  async authenticateApiToken(token: string): Promise<StaffIdentity | undefined> {
    const row = await repo.findApiTokenByHash(this.deps.db, hashToken(token));
    if (!row) return undefined;
    const now = this.deps.clock.now();
    if (!row.last_used_at || now.getTime() - Date.parse(row.last_used_at) > TOUCH_EVERY_MS) {
      await repo.touchApiToken(this.deps.db, row.token_id, now.toISOString());
    }
    return toIdentity(row);
  }

  listApiTokens() {
    return repo.listApiTokens(this.deps.db);
  }

  async revokeApiToken(id: string): Promise<void> {
    const result = await repo.revokeApiToken(this.deps.db, id, this.now());
    if (Number(result.numUpdatedRows) === 0) throw notFound('API token');
  }

  // --- staff management ----------------------------------------------------------------

  async list(): Promise<PublicStaff[]> {
    return (await repo.listStaff(this.deps.db)).map(toPublic);
  }

  async get(id: string): Promise<PublicStaff> {
    const s = await repo.findStaffById(this.deps.db, id);
    if (!s) throw notFound('Staff member');
    return toPublic(s);
  }

  async findBySlug(slug: string): Promise<PublicStaff | undefined> {
    const s = await repo.findStaffBySlug(this.deps.db, slug);
    return s && toPublic(s);
  }

  async findByIds(ids: readonly string[]): Promise<PublicStaff[]> {
    return (await repo.findStaffByIds(this.deps.db, ids)).map(toPublic);
  }

  /** Resolves emails or slugs (as used in Markdown front matter) to staff ids. */
  async resolveRefs(refs: readonly string[]): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) {
      const s = ref.includes('@')
        ? await repo.findStaffByEmail(this.deps.db, ref.trim().toLowerCase())
        : await repo.findStaffBySlug(this.deps.db, ref.trim());
      if (!s)
        throw new AppError('unknown_author', `No staff member ${ref}`, {
          status: 400,
          field: 'authors',
        });
      ids.push(s.id);
    }
    return ids;
  }

  async create(
    actor: Actor,
    input: { email: string; name: string; role: Role; password?: string },
  ): Promise<PublicStaff> {
    if (!canAssignRole(actor, null, input.role))
      throw forbidden(`You cannot add staff with the role ${input.role}`);
    return this.insert(input);
  }

  async update(
    actor: StaffIdentity,
    id: string,
    patch: { name?: string; email?: string; bio?: string | null; role?: Role; password?: string },
  ): Promise<PublicStaff> {
    const target = await repo.findStaffById(this.deps.db, id);
    if (!target) throw notFound('Staff member');
    const self = actor.id === id;
    // Changing someone's email or password is taking over their account: only from above.
    if (!self && !canManageStaffMember(actor, target.role as Role)) {
      throw forbidden(
        target.role === 'owner'
          ? 'Only the owner edits the owner'
          : 'You cannot edit this staff member',
      );
    }
    if (patch.role !== undefined && patch.role !== target.role) {
      if (!canAssignRole(actor, target.role as Role, patch.role)) {
        throw forbidden(`You cannot change this role to ${patch.role}`);
      }
    }
    if (patch.email !== undefined) {
      const other = await repo.findStaffByEmail(this.deps.db, patch.email);
      if (other && other.id !== id)
        throw conflict(`A staff member with email ${patch.email} already exists`, 'email');
    }
    const updated = await repo.updateStaff(this.deps.db, id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.email !== undefined ? { email: patch.email } : {}),
      ...(patch.bio !== undefined ? { bio: patch.bio } : {}),
      ...(patch.role !== undefined ? { role: patch.role } : {}),
      ...(patch.password !== undefined ? { password_hash: await hash(patch.password) } : {}),
      updated_at: this.now(),
    });
    // A changed password or role ends every other session: an attacker holding one loses it.
    if (patch.password !== undefined || (patch.role !== undefined && patch.role !== target.role)) {
      await repo.deleteSessionsOf(
        this.deps.db,
        id,
        self && 'sessionId' in actor ? String(actor.sessionId) : undefined,
      );
    }
    await this.deps.onChange?.();
    return toPublic(updated!);
  }

  async remove(actor: Actor, id: string): Promise<void> {
    const target = await repo.findStaffById(this.deps.db, id);
    if (!target) throw notFound('Staff member');
    if (target.role === 'owner') throw forbidden('The owner cannot be removed');
    if (!canManageStaffMember(actor, target.role as Role)) throw forbidden();
    await repo.deleteStaff(this.deps.db, id);
    await this.deps.onChange?.();
  }

  async purgeExpiredSessions(): Promise<void> {
    await repo.deleteExpiredSessions(this.deps.db, this.now());
  }
}

export function requireIdentity(identity: StaffIdentity | undefined): StaffIdentity {
  if (!identity) throw unauthorized();
  return identity;
}
