import { describe, expect, it } from 'vitest';
import { orderedUuid } from './ordered-id.js';

describe('orderedUuid', () => {
  it('is a version 7 UUID whose text sorts by time', () => {
    const ms = Date.parse('2026-03-02T10:00:00.000Z');
    const early = orderedUuid(ms);
    const later = orderedUuid(Date.parse('2026-03-02T10:00:00.001Z'));
    expect(early).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(early < later).toBe(true);
    expect(early.replace(/-/g, '').slice(0, 12)).toBe(ms.toString(16).padStart(12, '0'));
    expect(new Set(Array.from({ length: 1000 }, () => orderedUuid())).size).toBe(1000);
  });
});
