import { describe, expect, it } from 'vitest';
import {
  emailChangeEmail,
  existingMemberSignupEmail,
  signinEmail,
  signupConfirmationEmail,
  type MemberEmail,
} from './members.emails.js';

const ctx = { publicationTitle: 'Notes & <Sources>', publicUrl: 'https://news.example.com' };
const link = 'https://news.example.com/members/confirm?token=abc_DEF-123';

describe.each<[string, (c: typeof ctx, l: string) => MemberEmail, RegExp, RegExp]>([
  ['signup confirmation', signupConfirmationEmail, /^Confirm your subscription to /, /24 hours/],
  ['sign-in link', signinEmail, /^Sign in to /, /1 hour/],
  ['existing address tried to sign up', existingMemberSignupEmail, /already subscribed/, /1 hour/],
  ['email change', emailChangeEmail, /^Confirm your new email address/, /24 hours/],
])('%s email', (_name, build, subject, lifetime) => {
  const email = build(ctx, link);

  it('names the publication in the subject, unescaped (it is a header, not HTML)', () => {
    expect(email.subject).toMatch(subject);
    expect(email.subject).toContain('Notes & <Sources>');
  });

  it('carries the absolute link in both parts, and says how long it lasts', () => {
    expect(email.html).toContain(`href="${link}"`);
    expect(email.text).toContain(`\n${link}\n`);
    expect(email.text).toMatch(lifetime);
    expect(email.html).toMatch(lifetime);
    expect(email.html).toContain('href="https://news.example.com/"');
  });

  it('escapes the publication title in the HTML', () => {
    expect(email.html).toContain('Notes &amp; &lt;Sources&gt;');
    expect(email.html).not.toContain('<Sources>');
    expect(email.text).toContain('— Notes & <Sources>');
  });
});

describe('the button', () => {
  it('takes the accent colour, with text that contrasts with it', () => {
    const light = signinEmail({ ...ctx, accent: '#ffd700' }, link).html;
    expect(light).toContain('background:#ffd700;color:#000000');
    const fallback = signinEmail({ ...ctx, accent: 'url(javascript:x)' }, link).html;
    expect(fallback).toContain('background:#1a5fb4;color:#ffffff');
  });
});
