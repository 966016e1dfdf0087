/** Time as a dependency, so scheduling and expiry can be tested without sleeping. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Timestamps are stored as ISO-8601 UTC text on both engines: it sorts and compares in order. */
export const toIso = (d: Date): string => d.toISOString();
export const nowIso = (clock: Clock): string => clock.now().toISOString();
