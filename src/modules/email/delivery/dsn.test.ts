import { describe, expect, it } from 'vitest';
import {
  classifyDeliveryStatus,
  classifySmtpReply,
  parseDsn,
  type DeliveryAction,
  type DsnReport,
} from './dsn.js';

const verp = 'bnc+0k6q8y1yq4ahdbe0v5c1y3h0jv.6f2gg4xvq8ty2m5z2lq0n7e1ll.k3k9x0d2@news.example.com';

/** A multipart/report as most MTAs write one; the blocks are the delivery-status body. */
function report(options: {
  status: string;
  headers?: string;
  returned?: string;
  returnedType?: string;
  statusType?: string;
}): string {
  return [
    'Return-Path: <>',
    'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
    `To: ${verp}`,
    'Subject: Undelivered Mail Returned to Sender',
    ...(options.headers === undefined ? [] : [options.headers]),
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="R"',
    '',
    '--R',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    'This is the mail system. I am sorry to have to inform you that your message could not be delivered.',
    '',
    '--R',
    `Content-Type: ${options.statusType ?? 'message/delivery-status'}`,
    '',
    options.status,
    '',
    ...(options.returned === undefined
      ? []
      : [
          '--R',
          `Content-Type: ${options.returnedType ?? 'text/rfc822-headers'}`,
          '',
          options.returned,
          '',
        ]),
    '--R--',
    '',
  ].join('\n');
}

const originalHeaders = [
  `Return-Path: <${verp}>`,
  'Message-ID: <issue-42.jane@news.example.com>',
  'From: The Weekly <weekly@news.example.com>',
  'To: jane@example.net',
  'Subject: Issue 42',
].join('\n');

const postfixHardBounce = report({
  status: [
    'Reporting-MTA: dns; mx.example.org',
    'X-Postfix-Queue-ID: 4Xk2Ls0Bz1z9sWd',
    'X-Postfix-Sender: rfc822; ' + verp,
    'Arrival-Date: Mon, 13 May 2024 10:00:00 +0000 (UTC)',
    '',
    'Final-Recipient: rfc822; jane@example.net',
    'Original-Recipient: rfc822;jane@example.net',
    'Action: failed',
    'Status: 5.1.1',
    'Remote-MTA: dns; mail.example.net',
    'Diagnostic-Code: smtp; 550 5.1.1 <jane@example.net>: Recipient address rejected:',
    '    User unknown in virtual mailbox table',
  ].join('\n'),
  returned: originalHeaders,
});

const gmailBounce = [
  'Delivered-To: ' + verp,
  'Return-Path: <>',
  'From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>',
  `To: ${verp}`,
  'Subject: Delivery Status Notification (Failure)',
  'Message-ID: <65f0c1a2.050a0220.abc123.0001.GMR@mx.google.com>',
  'MIME-Version: 1.0',
  'Content-Type: multipart/report; boundary="000000000000aa"; report-type=delivery-status',
  '',
  '--000000000000aa',
  'Content-Type: multipart/related; boundary="000000000000bb"',
  '',
  '--000000000000bb',
  'Content-Type: multipart/alternative; boundary="000000000000cc"',
  '',
  '--000000000000cc',
  'Content-Type: text/plain; charset="UTF-8"',
  '',
  '** Address not found **',
  '',
  "Your message wasn't delivered to nobody@example.net because the address couldn't be found.",
  '',
  '--000000000000cc',
  'Content-Type: text/html; charset="UTF-8"',
  '',
  '<html><body><h1>Address not found</h1></body></html>',
  '--000000000000cc--',
  '--000000000000bb--',
  '--000000000000aa',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; googlemail.com',
  'Received-From-MTA: dns; weekly@news.example.com',
  'Arrival-Date: Mon, 13 May 2024 03:00:00 -0700 (PDT)',
  'X-Original-Message-ID: <issue-42.nobody@news.example.com>',
  '',
  'Final-Recipient: rfc822; Nobody@Example.net',
  'Action: failed',
  'Status: 5.1.1',
  'Remote-MTA: dns; mx.example.net. (192.0.2.25, the server for the domain example.net.)',
  'Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try',
  " 550-5.1.1 double-checking the recipient's email address for typos or",
  ' 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser',
  'Last-Attempt-Date: Mon, 13 May 2024 03:00:01 -0700 (PDT)',
  '',
  '--000000000000aa',
  'Content-Type: message/rfc822',
  '',
  `Return-Path: <${verp}>`,
  'Message-ID: <issue-42.nobody@news.example.com>',
  'From: The Weekly <weekly@news.example.com>',
  'To: nobody@example.net',
  'Subject: Issue 42',
  '',
  'The body of issue 42.',
  '',
  '--000000000000aa--',
  '',
].join('\n');

/** Exchange Online writes CRLF, no space after `;`, and folds long diagnostics. */
const exchangeBounce = [
  'From: postmaster@contoso.onmicrosoft.com',
  `To: <${verp}>`,
  'Subject: Undeliverable: Issue 42',
  'Content-Type: multipart/report; report-type=delivery-status;',
  '\tboundary="_000_EX_"',
  'MIME-Version: 1.0',
  '',
  '--_000_EX_',
  'Content-Type: text/plain; charset="us-ascii"',
  '',
  "Your message to jdoe@contoso.com couldn't be delivered.",
  '',
  '--_000_EX_',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns;BN8PR12MB3456.namprd12.prod.outlook.com',
  'Received-From-MTA: dns;news.example.com',
  'Arrival-Date: Mon, 13 May 2024 10:00:00 +0000',
  'Original-Envelope-Id: send-42.member-7',
  '',
  'original-recipient: rfc822;JDoe@contoso.com',
  'final-recipient: rfc822;JDoe@contoso.com',
  'ACTION: failed',
  'status: 5.1.10',
  'remote-mta: dns;BN8PR12MB3456.namprd12.prod.outlook.com',
  'x-supplementary-info: <BN8PR12MB3456.namprd12.prod.outlook.com #550 5.1.10',
  ' RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup>',
  'diagnostic-code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient',
  '\tjdoe@contoso.com not found by SMTP address',
  '\tlookup',
  '',
  '--_000_EX_',
  'Content-Type: text/rfc822-headers',
  '',
  'Message-ID: <issue-42.jdoe@news.example.com>',
  'Subject: Issue 42',
  '',
  '--_000_EX_--',
  '',
].join('\r\n');

const delayed = report({
  headers: 'X-Original-To: ' + verp,
  status: [
    'Reporting-MTA: dns; mx.example.org',
    '',
    'Final-Recipient: rfc822; slow@example.net',
    'Action: delayed',
    'Status: 4.4.1',
    'Remote-MTA: dns; mail.example.net',
    'Diagnostic-Code: X-Postfix; connect to mail.example.net[203.0.113.5]:25: Connection timed out',
    'Will-Retry-Until: Fri, 17 May 2024 10:00:00 +0000 (UTC)',
  ].join('\n'),
});

const mixed = report({
  status: [
    'Reporting-MTA: dns; mx.example.org',
    '',
    'Final-Recipient: rfc822; gone@example.net',
    'Action: failed',
    'Status: 5.1.1',
    'Diagnostic-Code: smtp; 550 5.1.1 No such user',
    '',
    'Final-Recipient: rfc822; here@example.net',
    'Action: delivered',
    'Status: 2.0.0',
    'Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as 4Xk2',
  ].join('\n'),
});

const mailboxFull = report({
  status: [
    'Reporting-MTA: dns; mx.example.org',
    '',
    'Final-Recipient: rfc822; full@example.net',
    'Action: failed',
    'Status: 5.2.2',
    'Diagnostic-Code: smtp; 552 5.2.2 Mailbox full',
  ].join('\n'),
  returned: originalHeaders,
});

const qmailBounce = [
  'Return-Path: <>',
  'From: MAILER-DAEMON@mail.example.org',
  `To: ${verp}`,
  'Subject: failure notice',
  '',
  'Hi. This is the qmail-send program at mail.example.org.',
  "I'm afraid I wasn't able to deliver your message to the following addresses.",
  "This is a permanent error; I've given up. Sorry it didn't work out.",
  '',
  '<nosuch@example.net>:',
  '192.0.2.25 does not like recipient.',
  'Remote host said: 550 5.1.1 <nosuch@example.net>... user unknown',
  'Giving up on 192.0.2.25.',
  '',
  '--- Below this line is a copy of the message.',
  '',
  `Return-Path: <${verp}>`,
  'From: weekly@news.example.com',
  '',
].join('\n');

const ordinaryReply = [
  'From: Jane <jane@example.net>',
  'To: weekly@news.example.com',
  'Subject: Re: Issue 42',
  '',
  'Loved it. By the way my old server used to say 550 5.1.1 to everyone.',
  '',
].join('\n');

describe('parseDsn: real-world bounces', () => {
  const cases: [string, string | Buffer, DsnReport | null][] = [
    [
      'Postfix, 5.1.1 user unknown, returned headers',
      postfixHardBounce,
      {
        format: 'rfc3464',
        reportingMta: 'mx.example.org',
        originalMessageId: '<issue-42.jane@news.example.com>',
        verp,
        recipients: [
          {
            finalRecipient: 'jane@example.net',
            originalRecipient: 'jane@example.net',
            action: 'failed',
            status: '5.1.1',
            remoteMta: 'mail.example.net',
            diagnosticCode:
              '550 5.1.1 <jane@example.net>: Recipient address rejected: User unknown in virtual mailbox table',
            kind: 'hard',
          },
        ],
      },
    ],
    [
      'Gmail, nested multiparts, folded diagnostic, whole original attached',
      Buffer.from(gmailBounce),
      {
        format: 'rfc3464',
        reportingMta: 'googlemail.com',
        originalMessageId: '<issue-42.nobody@news.example.com>',
        verp,
        recipients: [
          {
            finalRecipient: 'nobody@example.net',
            action: 'failed',
            status: '5.1.1',
            remoteMta: 'mx.example.net',
            diagnosticCode:
              "550-5.1.1 The email account that you tried to reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos or 550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser",
            kind: 'hard',
          },
        ],
      },
    ],
    [
      'Exchange, CRLF, lower-case field names, tab-folded diagnostic, 5.1.10',
      exchangeBounce,
      {
        format: 'rfc3464',
        reportingMta: 'bn8pr12mb3456.namprd12.prod.outlook.com',
        originalEnvelopeId: 'send-42.member-7',
        originalMessageId: '<issue-42.jdoe@news.example.com>',
        verp,
        recipients: [
          {
            finalRecipient: 'jdoe@contoso.com',
            originalRecipient: 'jdoe@contoso.com',
            action: 'failed',
            status: '5.1.10',
            remoteMta: 'bn8pr12mb3456.namprd12.prod.outlook.com',
            diagnosticCode:
              '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient jdoe@contoso.com not found by SMTP address lookup',
            kind: 'hard',
          },
        ],
      },
    ],
    [
      'delayed 4.4.1 (a warning, not a failure)',
      delayed,
      {
        format: 'rfc3464',
        reportingMta: 'mx.example.org',
        verp,
        recipients: [
          {
            finalRecipient: 'slow@example.net',
            action: 'delayed',
            status: '4.4.1',
            remoteMta: 'mail.example.net',
            diagnosticCode: 'connect to mail.example.net[203.0.113.5]:25: Connection timed out',
            kind: 'soft',
          },
        ],
      },
    ],
    [
      'two recipients, one failed and one delivered',
      mixed,
      {
        format: 'rfc3464',
        reportingMta: 'mx.example.org',
        verp,
        recipients: [
          {
            finalRecipient: 'gone@example.net',
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: '550 5.1.1 No such user',
            kind: 'hard',
          },
          {
            finalRecipient: 'here@example.net',
            action: 'delivered',
            status: '2.0.0',
            diagnosticCode: '250 2.0.0 Ok: queued as 4Xk2',
            kind: 'none',
          },
        ],
      },
    ],
    [
      'mailbox full 5.2.2 (soft, though the action is failed)',
      mailboxFull,
      {
        format: 'rfc3464',
        reportingMta: 'mx.example.org',
        originalMessageId: '<issue-42.jane@news.example.com>',
        verp,
        recipients: [
          {
            finalRecipient: 'full@example.net',
            action: 'failed',
            status: '5.2.2',
            diagnosticCode: '552 5.2.2 Mailbox full',
            kind: 'soft',
          },
        ],
      },
    ],
    [
      'qmail plain-text bounce',
      qmailBounce,
      {
        format: 'plain-text',
        verp,
        recipients: [
          {
            finalRecipient: 'nosuch@example.net',
            action: 'failed',
            status: '5.1.1',
            diagnosticCode: '550 5.1.1 <nosuch@example.net>... user unknown',
            kind: 'hard',
          },
        ],
      },
    ],
    ['an ordinary reply quoting an SMTP code', ordinaryReply, null],
  ];
  it.each(cases)('%s', async (_name, raw, expected) => {
    expect(await parseDsn(raw)).toStrictEqual(expected);
  });
});

describe('parseDsn: the delivery-status fields', () => {
  const recipientOf = async (block: string) =>
    (await parseDsn(report({ status: `Reporting-MTA: dns; mx.example.org\n\n${block}` })))
      ?.recipients;

  const cases: [string, string, Record<string, string> | null][] = [
    [
      'Status only generic, the diagnostic more precise',
      'Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 552 5.2.2 quota exceeded',
      { status: '5.2.2', kind: 'soft' },
    ],
    [
      'a generic Status is kept when the diagnostic is of another class',
      'Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.0.0\nDiagnostic-Code: smtp; 450 4.2.1 try later',
      { status: '5.0.0', kind: 'hard' },
    ],
    [
      'a Status with a comment',
      'Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.1.2 (bad destination system)',
      { status: '5.1.2', kind: 'hard' },
    ],
    [
      'spam block 5.7.1 is soft',
      'Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.7.1\nDiagnostic-Code: smtp; 550 5.7.1 Message rejected as spam',
      { status: '5.7.1', kind: 'soft' },
    ],
    [
      'DMARC rejection 5.7.26 is soft',
      'Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.7.26',
      { status: '5.7.26', kind: 'soft' },
    ],
    [
      'failed with 4.4.7 (gave up retrying) is soft',
      'Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 4.4.7',
      { action: 'failed', status: '4.4.7', kind: 'soft' },
    ],
    [
      'no Action: inferred from Status',
      'Final-Recipient: rfc822; a@example.net\nStatus: 5.1.1',
      { action: 'failed', status: '5.1.1', kind: 'hard' },
    ],
    [
      'no Status: taken from the diagnostic, not from an IP address in it',
      'Final-Recipient: rfc822; a@example.net\nAction: failed\nDiagnostic-Code: smtp; host 10.4.4.1 said: 550 5.1.1 unknown',
      { status: '5.1.1', kind: 'hard' },
    ],
    [
      'no Status, only a basic reply code',
      'Final-Recipient: rfc822; a@example.net\nAction: failed\nDiagnostic-Code: smtp; 554 rejected',
      { status: '5.0.0', kind: 'hard' },
    ],
    [
      'no Status and no code: from the Action',
      'Final-Recipient: rfc822; a@example.net\nAction: delayed',
      { action: 'delayed', status: '4.0.0', kind: 'soft' },
    ],
    [
      'relayed to a system that does not report back',
      'Final-Recipient: rfc822; a@example.net\nAction: relayed\nStatus: 2.0.0',
      { action: 'relayed', kind: 'none' },
    ],
    [
      'only an Original-Recipient',
      'Original-Recipient: rfc822; <Old@Example.net>\nAction: failed\nStatus: 5.1.1',
      { finalRecipient: 'old@example.net', originalRecipient: 'old@example.net' },
    ],
  ];
  it.each(cases)('%s', async (_name, block, expected) => {
    const recipients = await recipientOf(block);
    expect(recipients).toHaveLength(1);
    expect(recipients?.[0]).toMatchObject(expected ?? {});
  });

  const rejected: [string, string][] = [
    ['no recipient block', 'Arrival-Date: Mon, 13 May 2024 10:00:00 +0000'],
    ['a recipient without Action, Status or code', 'Final-Recipient: rfc822; a@example.net'],
    ['an empty recipient', 'Final-Recipient: rfc822;\nAction: failed\nStatus: 5.1.1'],
  ];
  it.each(rejected)('%s → null', async (_name, block) => {
    expect(
      await parseDsn(report({ status: `Reporting-MTA: dns; mx.example.org\n\n${block}` })),
    ).toBeNull();
  });

  it('reads recipient blocks even without a per-message block', async () => {
    const dsn = await parseDsn(
      report({ status: 'Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.1.1' }),
    );
    expect(dsn).toMatchObject({ recipients: [{ finalRecipient: 'a@example.net', kind: 'hard' }] });
    expect(dsn).not.toHaveProperty('reportingMta');
  });

  it('reads message/global-delivery-status (RFC 6533) and message/rfc822 originals', async () => {
    const dsn = await parseDsn(
      report({
        statusType: 'message/global-delivery-status',
        status:
          'Reporting-MTA: dns; mx.example.org\n\nFinal-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.1.1',
        returnedType: 'message/rfc822',
        returned: `${originalHeaders}\n\nbody`,
      }),
    );
    expect(dsn).toMatchObject({
      originalMessageId: '<issue-42.jane@news.example.com>',
      recipients: [{ kind: 'hard' }],
    });
  });

  it('finds the VERP address in the returned Return-Path when the bounce headers lack it', async () => {
    const raw = report({
      status: 'Final-Recipient: rfc822; a@example.net\nAction: failed\nStatus: 5.1.1',
      returned: originalHeaders,
    }).replace(`To: ${verp}`, 'To: weekly@news.example.com');
    expect(await parseDsn(raw)).toMatchObject({ verp });
  });
});

describe('parseDsn: plain-text bounces need both a bounce sender and an enhanced code', () => {
  const plain = (headers: string[], body: string) => [...headers, '', body, ''].join('\n');
  const cases: [string, string, Record<string, unknown> | null][] = [
    [
      'Exim-style, recipient in RCPT TO before the reply',
      plain(
        [
          'From: Mail Delivery System <Mailer-Daemon@mail.example.org>',
          `To: ${verp}`,
          'Subject: Mail delivery failed: returning message to sender',
        ],
        '  full@example.net\n    host mx.example.net [192.0.2.1]\n    SMTP error from remote mail server after RCPT TO:<full@example.net>:\n    452 4.2.2 Mailbox full',
      ),
      {
        format: 'plain-text',
        recipients: [
          { finalRecipient: 'full@example.net', action: 'delayed', status: '4.2.2', kind: 'soft' },
        ],
      },
    ],
    [
      'a bounce subject, an empty Return-Path, but no enhanced code',
      plain(
        ['Return-Path: <>', 'Subject: Undeliverable', `To: ${verp}`],
        '<x@example.net>: 550 user unknown',
      ),
      null,
    ],
    [
      'an enhanced code but no address other than ours',
      plain(['From: postmaster@example.org', `To: ${verp}`], 'Sorry: 550 5.1.1 user unknown'),
      null,
    ],
  ];
  it.each(cases)('%s', async (_name, raw, expected) => {
    const dsn = await parseDsn(raw);
    if (expected === null) expect(dsn).toBeNull();
    else expect(dsn).toMatchObject(expected);
  });

  it('returns null for input that is no email at all', async () => {
    expect(await parseDsn('')).toBeNull();
    expect(await parseDsn(Buffer.from([0xff, 0xfe, 0x00, 0x01]))).toBeNull();
  });
});

describe('classifyDeliveryStatus', () => {
  const cases: [DeliveryAction, string, string][] = [
    ['failed', '5.1.1', 'hard'],
    ['failed', '5.1.10', 'hard'],
    ['failed', '5.2.1', 'hard'],
    ['failed', '5.4.4', 'hard'],
    ['failed', '5.0.0', 'hard'],
    ['failed', '5.2.2', 'soft'],
    ['failed', '5.2.3', 'soft'],
    ['failed', '5.3.4', 'soft'],
    ['failed', '5.6.0', 'soft'],
    ['failed', '5.7.1', 'soft'],
    ['failed', '4.4.7', 'soft'],
    ['delayed', '4.4.1', 'soft'],
    ['delayed', '5.1.1', 'soft'],
    ['delivered', '2.0.0', 'none'],
    ['relayed', '2.0.0', 'none'],
    ['expanded', '2.0.0', 'none'],
  ];
  it.each(cases)('%s %s → %s', (action, status, kind) => {
    expect(classifyDeliveryStatus(action, status)).toBe(kind);
  });
});

describe('classifySmtpReply', () => {
  const cases: [number, string | undefined, string][] = [
    [421, undefined, 'soft'],
    [450, '4.2.1', 'soft'],
    [451, undefined, 'soft'],
    [550, '5.1.1', 'hard'],
    [550, undefined, 'hard'],
    [553, '5.1.3', 'hard'],
    [554, undefined, 'hard'],
    [552, undefined, 'soft'],
    [552, '5.2.2', 'soft'],
    [552, '5.3.4', 'soft'],
    [550, '5.7.1', 'soft'],
    [554, '5.7.26', 'soft'],
    [550, ' 5.2.2 ', 'soft'],
    [550, 'nonsense', 'hard'],
  ];
  it.each(cases)('%i %s → %s', (code, enhanced, kind) => {
    expect(classifySmtpReply(code, enhanced)).toBe(kind);
  });

  it.each([250, 354, 399, 600, 550.5, Number.NaN])('refuses %s, which is no rejection', (code) => {
    expect(() => classifySmtpReply(code)).toThrow(RangeError);
  });
});
