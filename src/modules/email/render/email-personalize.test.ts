import { describe, expect, it } from 'vitest';
import {
  neutraliseHtml,
  neutraliseText,
  personalize,
  type FrozenEmail,
  type Recipient,
} from './email-personalize.js';

const recipient: Recipient = {
  name: 'Anna',
  unsubscribeUrl: 'https://desk.example.com/u?k=1&n=2',
  manageUrl: 'https://desk.example.com/account',
};

const frozen = (html: string, text: string): FrozenEmail => ({
  subject: 'Subject',
  preheader: '',
  html,
  text,
});

describe('personalize', () => {
  it('fills every placeholder, escaping values for the HTML part only', () => {
    const mail = personalize(
      frozen(
        '<p>Hi {{name}},</p><a href="{{unsubscribe_url}}">u</a><a href="{{manage_url}}">m</a>',
        'Hi {{name}},\n{{unsubscribe_url}}\n{{manage_url}}',
      ),
      recipient,
    );
    expect(mail).toEqual({
      subject: 'Subject',
      html: '<p>Hi Anna,</p><a href="https://desk.example.com/u?k=1&amp;n=2">u</a><a href="https://desk.example.com/account">m</a>',
      text: 'Hi Anna,\nhttps://desk.example.com/u?k=1&n=2\nhttps://desk.example.com/account',
    });
  });

  it.each<[string, string | null, string, string]>([
    ['a plain name', 'Anna', 'Hi Anna,', 'Hi Anna,'],
    ['no name', null, 'Hi there,', 'Hi there,'],
    ['a blank name', '   ', 'Hi there,', 'Hi there,'],
    [
      'markup in a name',
      '<script>alert(1)</script>',
      'Hi &lt;script&gt;alert(1)&lt;/script&gt;,',
      'Hi <script>alert(1)</script>,',
    ],
    [
      'quotes and ampersands',
      `O'Neil & "Co"`,
      'Hi O&#39;Neil &amp; &quot;Co&quot;,',
      `Hi O'Neil & "Co",`,
    ],
    ['line breaks in a name', 'Anna\r\nBcc: x', 'Hi Anna Bcc: x,', 'Hi Anna Bcc: x,'],
  ])('%s', (_name, name, html, text) => {
    const mail = personalize(frozen('Hi {{name}},', 'Hi {{name}},'), { ...recipient, name });
    expect(mail.html).toBe(html);
    expect(mail.text).toBe(text);
  });

  it('gives each recipient their own values from the same frozen email', () => {
    const email = frozen('<b>{{name}}</b>', '{{name}}');
    expect(personalize(email, { ...recipient, name: 'Anna' }).html).toBe('<b>Anna</b>');
    expect(personalize(email, { ...recipient, name: 'Boris' }).html).toBe('<b>Boris</b>');
    expect(personalize(email, { ...recipient, name: 'Boris' }).text).toBe('Boris');
  });

  it('does not substitute values into values (one pass)', () => {
    const mail = personalize(frozen('{{name}}{{manage_url}}', '{{name}}{{manage_url}}'), {
      ...recipient,
      name: '{{manage_url}}',
    });
    expect(mail.text).toBe('{{manage_url}}https://desk.example.com/account');
  });

  it('leaves unknown placeholders alone', () => {
    expect(personalize(frozen('{{email}}', '{{email}}'), recipient).text).toBe('{{email}}');
  });
});

describe('content written into a frozen email is never substituted', () => {
  it.each([
    '{{name}}',
    '{{{name}}}',
    '{{{{name}}}}',
    '{',
    '{{',
    '{{{',
    '}}{{',
    'a {{unsubscribe_url}} b {{manage_url}}',
  ])('%j', (content) => {
    // Content right before and after a real placeholder: the hardest place for a collision.
    const email = frozen(
      neutraliseHtml(content) + '{{name}}' + neutraliseHtml(content),
      neutraliseText(content) + '{{name}}' + neutraliseText(content),
    );
    const mail = personalize(email, recipient);
    expect(mail.text).toBe(`${content}Anna${content}`);
    const entities = neutraliseHtml(content);
    expect(mail.html).toBe(`${entities}Anna${entities}`);
    expect(entities).not.toContain('{');
  });
});
