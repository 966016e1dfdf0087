import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { describe, expect, it } from 'vitest';
import type { ReaderLevel, Visibility } from '../../members/access.js';
import { renderPostEmail, type EmailPost, type PostEmailInput } from './email-render.js';
import { personalize, type FrozenEmail, type Recipient } from './email-personalize.js';
import {
  analystPost,
  doc,
  link,
  p,
  paywall,
  SECRET,
  SECRET_NOTE,
  site,
  text,
} from './email.fixtures.js';

const recipient: Recipient = {
  name: 'Anna',
  unsubscribeUrl: 'https://desk.example.com/unsubscribe?key=abc&newsletter=1',
  manageUrl: 'https://desk.example.com/account#newsletters',
};

const render = (overrides: Partial<PostEmailInput> = {}): FrozenEmail =>
  renderPostEmail({ post: analystPost, site, reader: 'paid', ...overrides });

const withPost = (post: Partial<EmailPost>, reader: ReaderLevel = 'paid') =>
  render({ post: { ...analystPost, ...post }, reader });

/** Opening tags of one element, MSO conditional comments aside (they are not markup). */
function openingTags(html: string, tag: string): string[] {
  const markup = html.replace(/<!--[\s\S]*?-->/g, '');
  return [...markup.matchAll(new RegExp(`<${tag}\\b[^>]*>`, 'g'))].map((m) => m[0]);
}

const styleOf = (tag: string): string => /\sstyle="([^"]*)"/.exec(tag)?.[1] ?? '';

describe('renderPostEmail: HTML that survives mail clients', () => {
  const frozen = render();
  const { html } = personalize(frozen, recipient);

  it('inlines the CSS and keeps only the media query in <style>', () => {
    expect(html).not.toMatch(/<link[^>]+stylesheet/i);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]!.trim());
    expect(styles).toHaveLength(1);
    expect(styles[0]).toMatch(/^@media only screen and \(max-width: 620px\) \{[\s\S]*\}$/);
    expect(styles[0]).toContain('width: 100% !important');
    expect(openingTags(html, 'blockquote')[0]).toMatch(
      /style="[^"]*border-left: 4px solid #1a5fb4/,
    );
    expect(openingTags(html, 'p').every((tag) => styleOf(tag).includes('margin'))).toBe(true);
  });

  it('lays out with a centred 600px presentation table', () => {
    expect(html).toMatch(
      /<table role="presentation" class="container" width="600" align="center"[^>]*style="[^"]*width: 600px/,
    );
    expect(html).toContain('<!--[if mso]><table role="presentation" width="600"');
  });

  it('gives every cell its own background and text colour, for dark mode', () => {
    expect(html).toContain('<meta name="color-scheme" content="light only">');
    expect(html).toContain('<meta name="supported-color-schemes" content="light only">');
    const cells = openingTags(html, 'td');
    expect(cells.length).toBeGreaterThan(5);
    for (const cell of cells) {
      expect(styleOf(cell), cell).toMatch(/(^|;\s*)background-color: #[0-9a-f]{6}/);
      expect(styleOf(cell), cell).toMatch(/(^|;\s*)color: #[0-9a-f]{6}/);
    }
  });

  it('never sets white text without a background of its own', () => {
    const cta = personalize(render({ reader: 'member' }), recipient).html;
    const white = [...cta.matchAll(/style="([^"]*)"/g)]
      .map((m) => m[1]!)
      .filter((style) => /(^|;\s*)color: #ffffff/.test(style));
    expect(white.length).toBeGreaterThan(0);
    for (const style of white) expect(style).toMatch(/background-color: #1a5fb4/);
  });

  it('hides a preheader with the excerpt at the top', () => {
    expect(html).toMatch(
      /<body[^>]*>\s*<div class="preheader" style="display: none;[^"]*">What the Foreign Minister actually said/,
    );
    expect(frozen.preheader).toBe(analystPost.excerpt);
  });

  it('makes every image and link URL absolute', () => {
    expect(html).toContain('src="https://desk.example.com/content/images/press-hall.jpg"');
    expect(html).toContain('src="https://desk.example.com/content/images/feature.jpg"');
    expect(html).toContain('href="https://desk.example.com/p/wire-reports-compared"');
    const urls = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(urls.length).toBeGreaterThan(5);
    for (const url of urls) expect(url).toMatch(/^https:\/\//);
  });

  it('links "View in browser" to the post on the site', () => {
    expect(html).toMatch(
      /<a href="https:\/\/desk\.example\.com\/p\/lavrov-grain-corridor"[^>]*>View in browser<\/a>/,
    );
  });

  it('lets images shrink to the column', () => {
    const [image] = openingTags(html, 'img').filter((tag) => tag.includes('press-hall'));
    expect(styleOf(image!)).toContain('max-width: 100%');
    expect(image).not.toContain('height="auto"');
  });

  it('lists footnotes as numbered endnotes without in-page anchors', () => {
    expect(html).toMatch(/<h2[^>]*>Notes<\/h2><ol[^>]*><li[^>]*><p[^>]*>Transcript published/);
    expect(html).toMatch(/grain corridor<sup[^>]*>1<\/sup>/);
    expect(html).not.toContain('href="#');
    expect(html).not.toMatch(/id="fn/);
  });

  it('ends with the footer: why, unsubscribe, preferences, publication', () => {
    const footer = html.slice(html.indexOf('class="footer"'));
    expect(footer).toContain('You are receiving this because you subscribed to The Eastern Desk.');
    expect(footer).toMatch(
      /<a href="https:\/\/desk\.example\.com\/unsubscribe\?key=abc&amp;newsletter=1"[^>]*>Unsubscribe<\/a>/,
    );
    expect(footer).toMatch(
      /<a href="https:\/\/desk\.example\.com\/account#newsletters"[^>]*>Manage/,
    );
    expect(footer).toMatch(/<a href="https:\/\/desk\.example\.com\/"[^>]*>The Eastern Desk<\/a>/);
  });

  it('names the newsletter when given one', () => {
    const { html: named } = personalize(
      render({ newsletter: { name: 'Weekly Brief' } }),
      recipient,
    );
    expect(named).toContain('because you subscribed to Weekly Brief.');
  });

  it('balances its table, row, cell and quote tags', () => {
    const markup = html.replace(/<!--[\s\S]*?-->/g, '');
    for (const tag of ['table', 'tr', 'td', 'blockquote', 'p', 'a']) {
      const opened = markup.match(new RegExp(`<${tag}\\b`, 'g'))?.length ?? 0;
      const closed = markup.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0;
      expect(closed, tag).toBe(opened);
    }
  });

  it('uses an absolute logo and refuses an accent that is not a colour', () => {
    const { html: branded } = personalize(
      render({
        site: {
          ...site,
          logo: '/content/logo.png',
          accent_color: 'red;}</style><script>x()</script>',
        },
      }),
      recipient,
    );
    expect(branded).toMatch(
      /<img src="https:\/\/desk\.example\.com\/content\/logo\.png" alt="The Eastern Desk"/,
    );
    expect(branded).not.toContain('<script');
    expect(branded).toContain('border-left: 4px solid #1a5fb4');
  });

  it('picks black button text on a light accent', () => {
    const frozenLight = render({ reader: 'member', site: { ...site, accent_color: '#FFE066' } });
    expect(frozenLight.html).toMatch(
      /<a class="button"[^>]*style="[^"]*background-color: #ffe066; color: #000000/,
    );
  });
});

describe('renderPostEmail: the paywall', () => {
  const SUBSCRIBE = 'https://desk.example.com/subscribe';
  const UPGRADE = 'https://desk.example.com/account#plans';

  it.each<[string, Visibility, string[], ReaderLevel, string | null]>([
    ['public post, anonymous reader', 'public', [], 'anonymous', null],
    ['members post, anonymous reader', 'members', [], 'anonymous', SUBSCRIBE],
    ['members post, free member', 'members', [], 'member', null],
    ['paid post, anonymous reader', 'paid', [], 'anonymous', SUBSCRIBE],
    ['paid post, free member', 'paid', [], 'member', UPGRADE],
    ['paid post, paying member', 'paid', [], 'paid:silver', null],
    ['paid post for gold, gold member', 'paid', ['gold'], 'paid:gold', null],
    ['paid post for gold, silver member', 'paid', ['gold'], 'paid:silver', UPGRADE],
    ['paid post for gold, comp without a tier', 'paid', ['gold'], 'paid', null],
  ])('%s', (_name, visibility, tiers, reader, cta) => {
    const frozen = withPost({ visibility, tiers }, reader);
    const { html, text } = personalize(frozen, recipient);
    // What precedes the cut is always there.
    for (const part of [html, text]) expect(part).toContain('Reconnecting Rosselkhozbank');
    if (cta === null) {
      for (const part of [html, text]) {
        expect(part).toContain(SECRET);
        expect(part).toContain(SECRET_NOTE);
        expect(part).not.toContain(SUBSCRIBE);
        expect(part).not.toContain(UPGRADE);
      }
    } else {
      for (const part of [html, text]) {
        expect(part).not.toContain(SECRET);
        expect(part).not.toContain(SECRET_NOTE);
        // Notes referenced before the cut stay.
        expect(part).toContain('Transcript published by the ministry');
      }
      expect(html).toMatch(new RegExp(`<a class="button" href="${cta.replace(/[.?]/g, '\\$&')}"`));
      expect(text).toContain(`: ${cta}`);
    }
  });

  it('shows only the excerpt of a locked post without a cut', () => {
    const body = doc(p(text(`Opening paragraph. ${SECRET}`)), p(text('Second paragraph.')));
    const frozen = withPost({ body, visibility: 'paid' }, 'member');
    for (const part of [frozen.html, frozen.text]) {
      expect(part).not.toContain(SECRET);
      expect(part).not.toContain('Second paragraph');
      expect(part).toContain(analystPost.excerpt);
    }
    expect(frozen.html).toContain('Upgrade to keep reading');
  });

  it('falls back to the excerpt when the cut leaves nothing before it', () => {
    const body = doc(paywall, p(text(SECRET)));
    const frozen = withPost({ body }, 'anonymous');
    for (const part of [frozen.html, frozen.text]) {
      expect(part).not.toContain(SECRET);
      expect(part).toContain(analystPost.excerpt);
    }
  });

  it('never builds a preheader from a locked post without a cut', () => {
    const body = doc(p(text(SECRET)));
    const frozen = withPost({ body, excerpt: '' }, 'member');
    expect(frozen.preheader).toBe('');
    expect(frozen.html).not.toContain(SECRET);
  });
});

describe('renderPostEmail: placeholders', () => {
  it('leaves the frozen email with placeholders only where the template puts them', () => {
    const frozen = render();
    expect(frozen.html.match(/\{\{\w+\}\}/g)).toEqual([
      '{{name}}',
      '{{unsubscribe_url}}',
      '{{manage_url}}',
    ]);
    expect(frozen.text.match(/\{\{\w+\}\}/g)).toEqual([
      '{{name}}',
      '{{unsubscribe_url}}',
      '{{manage_url}}',
    ]);
    expect(Object.isFrozen(frozen)).toBe(true);
  });

  it('does not substitute placeholder text written in the post', () => {
    const body = doc(
      p(text('Dear {{name}}, templates look like {{unsubscribe_url}} and {{{manage_url}}}.')),
      p(text('a link', link('https://example.org/{{name}}'))),
    );
    const frozen = withPost({ title: 'On {{name}}', excerpt: 'About {{name}}', body });
    const mail = personalize(frozen, { ...recipient, name: 'Mallory' });
    expect(mail.subject).toBe('On {{name}}');
    expect(mail.html.match(/Mallory/g)).toHaveLength(1);
    expect(mail.text.match(/Mallory/g)).toHaveLength(1);
    expect(mail.html).not.toContain('key=abc&amp;newsletter=1, templates');
    expect(mail.html).toContain(
      'Dear &#123;&#123;name}}, templates look like &#123;&#123;unsubscribe_url}} and &#123;&#123;&#123;manage_url}}}.',
    );
    expect(mail.html).toContain('href="https://example.org/&#123;&#123;name}}"');
    expect(mail.text).toContain(
      'Dear {{name}}, templates look like {{unsubscribe_url}} and {{{manage_url}}}.',
    );
    expect(mail.text).toContain('a link (https://example.org/%7B%7Bname%7D%7D)');
    expect(mail.text).toContain('On {{name}}\n===');
  });
});

describe('renderPostEmail: the text part', () => {
  const { text } = personalize(render(), recipient);
  const lines = text.split('\n');

  it('quotes the transcript with "> " on every line, bold as *…*', () => {
    const quoted = lines.filter((line) => line.startsWith('>'));
    expect(quoted.length).toBeGreaterThan(10);
    expect(text).toContain('> Question: Minister, the Turkish side says');
    expect(text).toContain('> Sergey Lavrov: We have said many times');
    expect(text).toContain('> Question: So there will be conditions?');
    expect(text).toMatch(
      /> Sergey Lavrov: \*Reconnecting Rosselkhozbank to SWIFT is not a condition, it\n> is a commitment\* \[My Emphasis\]/,
    );
    expect(quoted.filter((line) => line !== '>').every((line) => line.startsWith('> '))).toBe(true);
  });

  it('wraps at 78 columns, except URLs that cannot be split', () => {
    for (const line of lines) {
      if (!/https?:\/\//.test(line)) expect(line.length, line).toBeLessThanOrEqual(78);
    }
  });

  it('underlines the title and headings, and lists the endnotes', () => {
    expect(text).toMatch(
      /^View in browser: https:\/\/desk\.example\.com\/p\/lavrov-grain-corridor\n\nLavrov on the grain corridor: read the transcript, not the summary\n=+\n\nBy Anna Petrova · March 5, 2026\n\nHi Anna,\n/,
    );
    expect(text).toContain('The exchange\n------------');
    expect(text).toContain('grain\ncorridor[1].');
    expect(text).toMatch(
      /Notes\n-----\n\n\[1\] Transcript published by the ministry, 4 March 2026\.\n\n\[2\] SECRET-FOOTNOTE/,
    );
  });

  it('writes links as text (url), with absolute URLs', () => {
    expect(text).toMatch(
      /wire reports\s+\(https:\/\/desk\.example\.com\/p\/wire-reports-compared\)/,
    );
  });

  it('ends with the footer links', () => {
    expect(text).toContain(
      [
        '-- ',
        'You are receiving this because you subscribed to The Eastern Desk.',
        'Unsubscribe: https://desk.example.com/unsubscribe?key=abc&newsletter=1',
        'Manage your email preferences: https://desk.example.com/account#newsletters',
      ].join('\n'),
    );
  });
});

describe('renderPostEmail: as a MIME message', () => {
  it('composes with nodemailer and parses back with mailparser', async () => {
    const mail = personalize(render({ reader: 'member' }), { ...recipient, name: '<script>' });
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
    const info = await transport.sendMail({
      from: 'The Eastern Desk <desk@example.com>',
      to: 'anna@example.com',
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
    });
    const parsed = await simpleParser(info.message as Buffer);

    expect(parsed.subject).toBe(analystPost.title);
    expect(parsed.html).toBe(mail.html);
    expect(parsed.text?.trimEnd()).toBe(mail.text.trimEnd());
    expect(parsed.html).toContain('Hi &lt;script&gt;,');
    expect(parsed.html).not.toContain(SECRET);
    expect(parsed.text).toContain('Hi <script>,');
  });
});
