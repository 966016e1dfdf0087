import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseDsn, parseVerp, verpAddress } from './index.js';

describe('a bounce finds its way back to the delivery it is about', () => {
  it('VERP out, DSN in, ids recovered', async () => {
    const verpOptions = { localPart: 'bnc', domain: 'news.example.com', secret: 's3cret' };
    const ids = { sendId: randomUUID(), recipientId: randomUUID() };
    const returnPath = verpAddress({ ...verpOptions, ...ids });
    const bounce = [
      'Return-Path: <>',
      `Delivered-To: ${returnPath.toUpperCase()}`,
      'From: MAILER-DAEMON@mx.example.org',
      `To: ${returnPath}`,
      'Subject: Undelivered Mail Returned to Sender',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
      '',
      '--R',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.example.org',
      '',
      'Final-Recipient: rfc822; jane@example.net',
      'Action: failed',
      'Status: 5.1.1',
      '',
      '--R--',
      '',
    ].join('\n');

    const report = await parseDsn(bounce);
    expect(report?.verp).toBe(returnPath);
    expect(parseVerp(report!.verp!, verpOptions)).toEqual(ids);
    expect(report?.recipients.map((r) => r.kind)).toEqual(['hard']);
  });
});
