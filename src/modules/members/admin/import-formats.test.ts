import { describe, expect, it } from 'vitest';
import {
  detectLayout,
  EXPECTED_HEADERS,
  expectedHeadersMessage,
  mapRow,
  normalizeEmail,
  parseBoolean,
  parseTimestamp,
  type ImportedMember,
} from './import-formats.js';

const now = new Date('2026-03-02T10:00:00.000Z');

describe('detectLayout', () => {
  it.each([
    [['email'], 'generic'],
    [['Email', 'Name', 'colour'], 'generic'],
    [[' EMAIL '], 'generic'],
    [['name', 'email', 'created_at'], 'generic'],
    [[...EXPECTED_HEADERS.substack], 'substack'],
    [['email', 'plan'], 'substack'],
    [['email', 'email_disabled'], 'substack'],
    [[...EXPECTED_HEADERS.ghost], 'ghost'],
    [['email', 'subscribed_to_emails'], 'ghost'],
    [['email', 'complimentary_plan', 'plan'], 'ghost'],
    [['e-mail', 'name'], undefined],
    [['address'], undefined],
    [[], undefined],
  ])('%j → %s', (header, format) => {
    expect(detectLayout(header)?.format).toBe(format);
  });

  it('maps each name to its first column', () => {
    expect([...detectLayout(['Email', 'name', 'EMAIL'])!.columns]).toEqual([
      ['email', 0],
      ['name', 1],
    ]);
  });

  it('names every format with its header in the error message', () => {
    const message = expectedHeadersMessage();
    for (const header of Object.values(EXPECTED_HEADERS))
      expect(message).toContain(`"${header.join(',')}"`);
  });
});

const member = (m: Partial<ImportedMember>) => ({
  kind: 'member',
  member: {
    email: 'a@example.com',
    name: null,
    note: null,
    subscribed: true,
    comped: false,
    stripeCustomerId: null,
    createdAt: null,
    ...m,
  },
});

describe('mapRow', () => {
  const generic = detectLayout(['email', 'name'])!;
  const substack = detectLayout([...EXPECTED_HEADERS.substack])!;
  const ghost = detectLayout([...EXPECTED_HEADERS.ghost])!;

  it.each([
    [' A@Example.COM ', '  Ann  ', member({ name: 'Ann' })],
    ['a@example.com', '', member({})],
    ['', 'Ann', { kind: 'bad', email: null, reason: 'email is missing' }],
    ['ann', 'Ann', { kind: 'bad', email: 'ann', reason: 'email is not a valid address' }],
  ])('generic %j,%j', (email, name, expected) => {
    expect(mapRow(generic, [email, name], now)).toEqual(expected);
  });

  it('truncates overlong names instead of losing the member', () => {
    const row = mapRow(generic, ['a@example.com', 'n'.repeat(500)], now);
    expect(row.kind === 'member' && row.member.name).toBe('n'.repeat(120));
  });

  it('reads a row shorter than its header', () => {
    expect(mapRow(generic, ['a@example.com'], now)).toEqual(member({}));
  });

  it.each([
    [
      ['a@example.com', 'false', '', '', 'false', '2021-03-04T12:34:56.000Z'],
      member({ createdAt: '2021-03-04T12:34:56.000Z' }),
    ],
    [
      ['a@example.com', 'true', '2026-09-01', 'yearly', 'false', ''],
      member({ note: 'Substack: yearly plan, expiry 2026-09-01' }),
    ],
    [
      ['a@example.com', 'false', '2025-01-01', 'monthly', 'false', ''],
      member({ note: 'Substack: monthly plan, expiry 2025-01-01 (not active)' }),
    ],
    [['a@example.com', 'FALSE', '', 'free', 'TRUE', ''], member({ subscribed: false })],
    [['a@example.com', '', '', '', '', 'last tuesday'], member({})],
  ])('substack %j', (fields, expected) => {
    expect(mapRow(substack, fields, now)).toEqual(expected);
  });

  it.each([
    [
      [
        'g1',
        'a@example.com',
        'Gina',
        'likes maps',
        'true',
        'false',
        'cus_1',
        '2022-01-04T10:20:30.000Z',
        '',
        'VIP',
        '',
      ],
      member({
        name: 'Gina',
        note: 'likes maps',
        stripeCustomerId: 'cus_1',
        createdAt: '2022-01-04T10:20:30.000Z',
      }),
    ],
    [
      ['g2', 'a@example.com', '', '', 'false', 'true', '', '', '', '', ''],
      member({ subscribed: false, comped: true }),
    ],
    [['g3', 'a@example.com', '', '', '', '', '', '', '2024-01-01', '', ''], { kind: 'skipped' }],
    [
      ['g4', 'nope', '', '', '', '', '', '', '', '', ''],
      { kind: 'bad', email: 'nope', reason: 'email is not a valid address' },
    ],
  ])('ghost %j', (fields, expected) => {
    expect(mapRow(ghost, fields, now)).toEqual(expected);
  });
});

describe('normalizeEmail', () => {
  it.each([
    ['Jo.Smith+news@Example.co.uk', 'jo.smith+news@example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['a@b', { reason: 'email is not a valid address' }],
    ['a b@example.com', { reason: 'email is not a valid address' }],
    ['a@@example.com', { reason: 'email is not a valid address' }],
    ['   ', { reason: 'email is missing' }],
    [`${'a'.repeat(250)}@x.io`, { reason: 'email is longer than 254 characters' }],
  ])('%j', (raw, expected) => {
    expect(normalizeEmail(raw)).toEqual(expected);
  });
});

describe('parseBoolean', () => {
  it.each([
    ['true', false, true],
    ['TRUE', false, true],
    ['yes', false, true],
    ['1', false, true],
    ['false', true, false],
    ['No', true, false],
    ['0', true, false],
    ['', true, true],
    ['', false, false],
    ['maybe', true, true],
  ])('%j (default %s) → %s', (value, fallback, expected) => {
    expect(parseBoolean(value, fallback)).toBe(expected);
  });
});

describe('parseTimestamp', () => {
  it.each([
    ['2022-01-04T10:20:30.000Z', '2022-01-04T10:20:30.000Z'],
    ['2022-01-04T12:20:30+02:00', '2022-01-04T10:20:30.000Z'],
    ['2022-01-04 10:20:30', '2022-01-04T10:20:30.000Z'],
    ['2022-01-04 10:20', '2022-01-04T10:20:00.000Z'],
    ['2022-01-04', '2022-01-04T00:00:00.000Z'],
    ['', null],
    ['not a date', null],
    ['2027-01-01', null],
  ])('%j → %j', (value, expected) => {
    expect(parseTimestamp(value, now)).toBe(expected);
  });
});
