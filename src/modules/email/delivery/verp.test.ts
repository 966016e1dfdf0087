import { describe, expect, it } from 'vitest';
import { MAX_LOCAL_PART_LENGTH, parseVerp, verpAddress, type VerpOptions } from './verp.js';

const options: VerpOptions = {
  localPart: 'bnc',
  domain: 'news.example.com',
  secret: 'verp-secret',
};
const send = '0b6f4c1e-3a52-4d8e-9f00-7c2d1e5a9b34';
const recipient = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';

const address = (sendId: string, recipientId: string, o: VerpOptions = options) =>
  verpAddress({ ...o, sendId, recipientId });
const localPartOf = (a: string) => a.slice(0, a.lastIndexOf('@'));

describe('verpAddress / parseVerp: round trip', () => {
  const cases: [string, string, string, VerpOptions][] = [
    ['two UUIDs', send, recipient, options],
    [
      'the nil and the max UUID',
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      options,
    ],
    ['short ids', 's42', 'r_7-x', { ...options, localPart: 'bounces' }],
    ['a 24-character short id', 'abcdefghijklmnopqrstuvwx', 'r1', options],
    ['a UUID and a short id', send, 'm9', { ...options, localPart: 'b.n-c' }],
    ['a Buffer secret', send, recipient, { ...options, secret: Buffer.from([1, 2, 3]) }],
  ];
  it.each(cases)('%s', (_name, sendId, recipientId, o) => {
    const a = address(sendId, recipientId, o);
    expect(a).toBe(a.toLowerCase());
    expect(a).toMatch(
      new RegExp(
        `^${o.localPart.replaceAll('.', '\\.')}\\+[0-9a-z_-]+\\.[0-9a-z_-]+\\.[0-9a-z]{8}@news\\.example\\.com$`,
      ),
    );
    expect(parseVerp(a, o)).toEqual({ sendId, recipientId });
  });

  it('packs a UUID into 25 characters and keeps short ids readable', () => {
    expect(localPartOf(address(send, recipient))).toMatch(
      /^bnc\+[0-9a-z]{25}\.[0-9a-z]{25}\.[0-9a-z]{8}$/,
    );
    expect(localPartOf(address('s42', 'r7'))).toMatch(/^bnc\+s42\.r7\.[0-9a-z]{8}$/);
  });

  it('gives every recipient of a send its own address', () => {
    const other = 'f47ac10b-58cc-4372-a567-0e02b2c3d47a';
    expect(address(send, recipient)).not.toBe(address(send, other));
  });

  it('returns UUIDs lower-case, however they were given', () => {
    expect(parseVerp(address(send.toUpperCase(), recipient), options)).toEqual({
      sendId: send,
      recipientId: recipient,
    });
  });
});

describe('parseVerp: case and wrapping', () => {
  const a = address(send, recipient);
  const cases: [string, string][] = [
    ['upper-cased by an MTA', a.toUpperCase()],
    ['mixed case', a.replace('bnc', 'BnC').replace('news', 'NEWS')],
    ['in angle brackets', `<${a}>`],
    ['with surrounding whitespace', `  ${a}\n`],
  ];
  it.each(cases)('%s', (_name, input) => {
    expect(parseVerp(input, options)).toEqual({ sendId: send, recipientId: recipient });
  });

  it('takes localPart and domain in any case', () => {
    expect(parseVerp(a, { ...options, localPart: 'BNC', domain: 'News.Example.COM' })).toEqual({
      sendId: send,
      recipientId: recipient,
    });
  });
});

describe('parseVerp: forgeries and strangers', () => {
  const a = address(send, recipient);
  const local = localPartOf(a);
  const [head, packedRecipient, mac] = local.split('.') as [string, string, string];
  const flip = (s: string, i: number) =>
    s.slice(0, i) + (s[i] === 'a' ? 'b' : 'a') + s.slice(i + 1);
  const cases: [string, string, VerpOptions?][] = [
    ['another secret', a, { ...options, secret: 'other-secret' }],
    ['another fixed local part', a, { ...options, localPart: 'bounces' }],
    ['another domain', a, { ...options, domain: 'example.com' }],
    ['a subdomain of ours', a.replace('@', '@x.')],
    ['a changed MAC', `${head}.${packedRecipient}.${flip(mac, 0)}@news.example.com`],
    ['a truncated MAC', `${head}.${packedRecipient}.${mac.slice(0, 7)}@news.example.com`],
    ['no MAC', `${head}.${packedRecipient}@news.example.com`],
    ['a changed recipient', `${head}.${flip(packedRecipient, 24)}.${mac}@news.example.com`],
    ['swapped ids', address(recipient, send).replace(/\.[0-9a-z]{8}@/, `.${mac}@`)],
    ['a fourth part', `${local}.x@news.example.com`],
    [
      'the MAC of another recipient',
      `${head}.${localPartOf(address(send, 'r1')).split('.')[1]}.${mac}@news.example.com`,
    ],
    [
      'a packed id beyond 128 bits',
      `bnc+zzzzzzzzzzzzzzzzzzzzzzzzz.${packedRecipient}.${mac}@news.example.com`,
    ],
    [
      'a 25-character id that is not base36',
      `bnc+abcdefghijklmnopqrstuvw_y.${packedRecipient}.${mac}@news.example.com`,
    ],
    ['no tag at all', 'bnc@news.example.com'],
    ['a plain address', 'jane@example.net'],
    ['no @', 'bnc+a.b.c'],
    ['empty', ''],
    ['garbage', '<<<@@@>>>'],
  ];
  it.each(cases)('%s → null', (_name, input, o = options) => {
    expect(parseVerp(input, o)).toBeNull();
  });
});

describe('verpAddress: the 64-character local part (RFC 5321)', () => {
  it('fits two UUIDs with a fixed part of up to 3 characters', () => {
    const a = address(send, recipient, { ...options, localPart: 'bnc' });
    expect(localPartOf(a)).toHaveLength(MAX_LOCAL_PART_LENGTH);
  });

  it('refuses two UUIDs behind "bounces", which would make 68', () => {
    expect(() => address(send, recipient, { ...options, localPart: 'bounces' })).toThrow(
      /68 characters, over the 64/,
    );
  });

  it('fits "bounces" with a UUID recipient and a short send id', () => {
    const a = address('s1', recipient, { ...options, localPart: 'bounces' });
    expect(localPartOf(a).length).toBeLessThanOrEqual(MAX_LOCAL_PART_LENGTH);
  });
});

describe('verpAddress: bad input is a bug, thrown', () => {
  const cases: [
    string,
    Partial<VerpOptions> & { sendId?: string; recipientId?: string },
    RegExp,
  ][] = [
    ['an upper-case short id (MTAs would lower-case it)', { sendId: 'Abc' }, /sendId "Abc"/],
    ['a 25-character short id', { recipientId: 'a'.repeat(25) }, /recipientId/],
    ['an id with a dot', { sendId: 'a.b' }, /sendId/],
    ['an empty id', { recipientId: '' }, /recipientId/],
    ['a + in the fixed part', { localPart: 'b+c' }, /localPart/],
    ['a domain without a dot', { domain: 'localhost' }, /domain/],
    ['an empty secret', { secret: '' }, /secret is empty/],
  ];
  it.each(cases)('%s', (_name, change, message) => {
    expect(() => verpAddress({ ...options, sendId: 's1', recipientId: 'r1', ...change })).toThrow(
      message,
    );
  });
});
