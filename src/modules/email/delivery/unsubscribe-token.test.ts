import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  listUnsubscribeHeaders,
  signUnsubscribe,
  unsubscribeTokenFromSubject,
  verifyUnsubscribe,
  type UnsubscribePayload,
} from './unsubscribe-token.js';

const secret = 'unsubscribe-secret';
const member = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';
const newsletter = '0b6f4c1e-3a52-4d8e-9f00-7c2d1e5a9b34';
const send = '9d2e8a47-1f3b-4c6d-8e5a-b7c9d0e1f2a3';

describe('signUnsubscribe / verifyUnsubscribe: round trip', () => {
  const cases: [string, UnsubscribePayload][] = [
    ['member and newsletter', { memberId: member, newsletterId: newsletter }],
    ['with the send', { memberId: member, newsletterId: newsletter, sendId: send }],
    ['short ids', { memberId: 'm1', newsletterId: 'weekly', sendId: 's9' }],
    [
      'upper-case UUIDs stay as given',
      { memberId: member.toUpperCase(), newsletterId: newsletter },
    ],
    ['non-ASCII ids', { memberId: 'мария', newsletterId: 'ニュース' }],
    ['a 255-byte id', { memberId: 'm'.repeat(255), newsletterId: newsletter }],
  ];
  it.each(cases)('%s', (_name, payload) => {
    const token = signUnsubscribe(payload, secret);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(verifyUnsubscribe(token, secret)).toEqual(payload);
  });

  it('is deterministic and short for UUIDs (packed to 16 bytes each)', () => {
    const payload = { memberId: member, newsletterId: newsletter, sendId: send };
    expect(signUnsubscribe(payload, secret)).toBe(signUnsubscribe(payload, secret));
    // 1 version + 3 × 17 + 16 MAC = 68 bytes → 91 base64url characters.
    expect(signUnsubscribe(payload, secret)).toHaveLength(91);
  });

  it('starts with version 1', () => {
    const token = signUnsubscribe({ memberId: 'm1', newsletterId: 'n1' }, secret);
    expect(Buffer.from(token, 'base64url')[0]).toBe(1);
  });

  it('refuses ids it cannot encode', () => {
    expect(() => signUnsubscribe({ memberId: '', newsletterId: 'n' }, secret)).toThrow(/1–255/);
    expect(() => signUnsubscribe({ memberId: 'm'.repeat(256), newsletterId: 'n' }, secret)).toThrow(
      /1–255/,
    );
    expect(() => signUnsubscribe({ memberId: 'm', newsletterId: 'n' }, '')).toThrow(
      /secret is empty/,
    );
  });
});

describe('verifyUnsubscribe: forgeries → null', () => {
  const payload = { memberId: member, newsletterId: newsletter, sendId: send };
  const token = signUnsubscribe(payload, secret);
  const bytes = Buffer.from(token, 'base64url');
  const withBytes = (change: (b: Buffer) => Buffer) =>
    change(Buffer.from(bytes)).toString('base64url');

  /** A token over `body` with a correct MAC, to reach the checks behind the MAC. */
  const signedBody = (body: Buffer) =>
    Buffer.concat([
      body,
      createHmac('sha256', secret)
        .update('pressroom-unsubscribe\0')
        .update(body)
        .digest()
        .subarray(0, 16),
    ]).toString('base64url');

  it.each([...bytes.keys()].flatMap((i) => [0, 7].map((bit) => [i, bit] as const)))(
    'byte %i, bit %i flipped',
    (i, bit) => {
      const flipped = withBytes((b) => {
        b[i] = b[i]! ^ (1 << bit);
        return b;
      });
      expect(verifyUnsubscribe(flipped, secret)).toBeNull();
    },
  );

  // 68 bytes take 91 characters, whose last 2 bits are padding: flipping one keeps the bytes.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const nonCanonical = token.slice(0, -1) + alphabet[alphabet.indexOf(token.at(-1)!) ^ 1];

  it('the non-canonical spelling really decodes to the same bytes', () => {
    expect(Buffer.from(nonCanonical, 'base64url')).toEqual(bytes);
  });

  const cases: [string, string, string?][] = [
    ['wrong secret', token, 'other-secret'],
    ['truncated by one character', token.slice(0, -1)],
    ['truncated to the body (MAC cut off)', withBytes((b) => b.subarray(0, b.length - 16))],
    ['truncated MAC', withBytes((b) => b.subarray(0, b.length - 1))],
    ['one byte appended', withBytes((b) => Buffer.concat([b, Buffer.from([0])]))],
    ['the MAC only', withBytes((b) => b.subarray(b.length - 16))],
    [
      'the send id cut out, MAC kept',
      withBytes((b) => Buffer.concat([b.subarray(0, 35), b.subarray(52)])),
    ],
    [
      'spliced with the tail of another member’s token',
      token.slice(0, 70) + signUnsubscribe({ ...payload, memberId: send }, secret).slice(70),
    ],
    [
      'version 2',
      withBytes((b) => {
        b[0] = 2;
        return b;
      }),
    ],
    ['a non-canonical spelling of the same bytes', nonCanonical],
    ['padding added', `${token}=`],
    ['standard base64 alphabet', Buffer.from(token, 'base64url').toString('base64')],
    ['whitespace', ` ${token}`],
    ['empty', ''],
    ['garbage', 'not a token!'],
    ['base64url garbage', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a signed body with one id', signedBody(Buffer.from([1, 2, 0x6d, 0x31]))],
    [
      'a signed body with four ids',
      signedBody(Buffer.from([1, 1, 0x61, 1, 0x62, 1, 0x63, 1, 0x64])),
    ],
    ['a signed body with a length past the end', signedBody(Buffer.from([1, 1, 0x61, 9, 0x62]))],
    ['a signed body with invalid UTF-8', signedBody(Buffer.from([1, 1, 0xff, 1, 0x62]))],
  ];
  it.each(cases)('%s', (_name, input, key = secret) => {
    expect(verifyUnsubscribe(input, key)).toBeNull();
  });

  it('accepts the untouched token (the forgeries above are not failing for another reason)', () => {
    expect(verifyUnsubscribe(token, secret)).toEqual(payload);
    expect(verifyUnsubscribe(signedBody(Buffer.from([1, 1, 0x61, 1, 0x62])), secret)).toEqual({
      memberId: 'a',
      newsletterId: 'b',
    });
  });
});

describe('listUnsubscribeHeaders (RFC 2369, RFC 8058)', () => {
  const token = signUnsubscribe({ memberId: member, newsletterId: newsletter }, secret);
  const cases: [string, Parameters<typeof listUnsubscribeHeaders>[0], Record<string, string>][] = [
    [
      'HTTPS link and mailto, one-click',
      { publicUrl: 'https://example.com', token, mailto: 'unsubscribe@example.com' },
      {
        'List-Unsubscribe': `<https://example.com/unsubscribe?token=${token}>, <mailto:unsubscribe@example.com?subject=unsubscribe-${token}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    ],
    [
      'no mailto',
      { publicUrl: 'https://example.com/', token },
      {
        'List-Unsubscribe': `<https://example.com/unsubscribe?token=${token}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    ],
    [
      'a site under a path, with query and hash dropped',
      { publicUrl: 'https://example.com/blog?x=1#top', token, mailto: 'u+list@example.com' },
      {
        'List-Unsubscribe': `<https://example.com/blog/unsubscribe?token=${token}>, <mailto:u+list@example.com?subject=unsubscribe-${token}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
    ],
    [
      'plain http (development): no one-click, which RFC 8058 allows only over HTTPS',
      { publicUrl: 'http://localhost:3000', token },
      { 'List-Unsubscribe': `<http://localhost:3000/unsubscribe?token=${token}>` },
    ],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(listUnsubscribeHeaders(input)).toStrictEqual(expected);
  });

  const bad: [string, Parameters<typeof listUnsubscribeHeaders>[0], RegExp][] = [
    [
      'a token that could break the header',
      { publicUrl: 'https://example.com', token: 'a>, <https://evil' },
      /base64url/,
    ],
    [
      'a mailto with a comma',
      { publicUrl: 'https://example.com', token, mailto: 'a@b.c, <x@y.z>' },
      /mailto/,
    ],
    [
      'a mailto with a query',
      { publicUrl: 'https://example.com', token, mailto: 'a@b.c?cc=x@y.z' },
      /mailto/,
    ],
    ['a non-http URL', { publicUrl: 'ftp://example.com', token }, /http/],
    ['not a URL', { publicUrl: 'example.com', token }, /Invalid URL/],
  ];
  it.each(bad)('refuses %s', (_name, input, message) => {
    expect(() => listUnsubscribeHeaders(input)).toThrow(message);
  });
});

describe('unsubscribeTokenFromSubject', () => {
  const token = signUnsubscribe(
    { memberId: member, newsletterId: newsletter, sendId: send },
    secret,
  );

  it('reads back the subject the mailto target names', () => {
    const header = listUnsubscribeHeaders({
      publicUrl: 'https://example.com',
      token,
      mailto: 'unsubscribe@bounces.example.com',
    })['List-Unsubscribe'];
    const mailto = new URL(/<(mailto:[^>]+)>/.exec(header)![1]!);
    expect(mailto.pathname).toBe('unsubscribe@bounces.example.com');
    expect(unsubscribeTokenFromSubject(mailto.searchParams.get('subject')!)).toBe(token);
  });

  it.each([
    ['as given', `unsubscribe-${token}`],
    ['with whitespace around it', ` \t unsubscribe-${token}\r\n `],
  ])('takes the token %s', (_name, subject) => {
    expect(unsubscribeTokenFromSubject(subject)).toBe(token);
  });

  it.each([
    ['a reply', `Re: unsubscribe-${token}`],
    ['a forward', `Fwd: unsubscribe-${token}`],
    ['words after it', `unsubscribe-${token} please`],
    ['another case', `Unsubscribe-${token}`],
    ['no dash', `unsubscribe ${token}`],
    ['the prefix alone', 'unsubscribe-'],
    ['characters outside base64url', `unsubscribe-${token.slice(0, 10)}+${token.slice(11)}`],
    ['a person asking', 'please unsubscribe me'],
    ['an empty subject', ''],
    ['no subject', undefined],
  ])('refuses %s', (_name, subject) => {
    expect(unsubscribeTokenFromSubject(subject)).toBeNull();
  });
});
