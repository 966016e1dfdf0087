import { describe, expect, it } from 'vitest';
import { isBot, isCountedView, postSlugOf, type ViewFacts } from './page-views.rules.js';

const CHROME =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36';
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

const page: ViewFacts = {
  method: 'GET',
  path: '/p/hello',
  status: 200,
  contentType: 'text/html; charset=utf-8',
  userAgent: CHROME,
  accept: 'text/html,application/xhtml+xml',
  purpose: undefined,
};

describe('isCountedView', () => {
  it.each<[string, Partial<ViewFacts>, boolean]>([
    ['a post page', {}, true],
    ['the home page', { path: '/' }, true],
    ['a tag page', { path: '/tag/news/page/2' }, true],
    ['a phone', { userAgent: IPHONE }, true],
    ['a revalidated page (304) asked for by a browser', { status: 304, contentType: null }, true],
    ['a 304 for something else', { status: 304, contentType: null, accept: '*/*' }, false],
    ['HEAD', { method: 'HEAD' }, false],
    ['POST', { method: 'POST' }, false],
    ['a 404 page', { status: 404 }, false],
    ['a redirect', { status: 301, contentType: null }, false],
    ['a feed', { path: '/rss.xml', contentType: 'application/rss+xml' }, false],
    ['an asset', { path: '/assets/site.css', contentType: 'text/css' }, false],
    ['the admin app', { path: '/admin/posts' }, false],
    ['the admin root', { path: '/admin' }, false],
    ['an API answering HTML', { path: '/api/admin/x' }, false],
    ['member account pages', { path: '/members/account' }, false],
    ['an uploaded image', { path: '/content/images/a.png', contentType: 'image/png' }, false],
    ['a prefetch', { purpose: 'prefetch' }, false],
    ['a prerender', { purpose: 'prefetch;prerender' }, false],
    ['Googlebot', { userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1)' }, false],
    ['curl', { userAgent: 'curl/8.5.0' }, false],
    ['no user agent', { userAgent: undefined }, false],
    ['an empty user agent', { userAgent: '  ' }, false],
  ])('%s → %s', (_name, change, counted) => {
    expect(isCountedView({ ...page, ...change })).toBe(counted);
  });
});

describe('isBot', () => {
  it.each([
    ['Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)', true],
    ['Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)', true],
    ['facebookexternalhit/1.1', true],
    ['Mozilla/5.0 (compatible; AhrefsBot/7.0)', true],
    ['python-requests/2.31', true],
    ['Go-http-client/1.1', true],
    ['Feedly/1.0 (+http://www.feedly.com/fetcher.html)', true],
    [CHROME, false],
    [IPHONE, false],
    // A phone whose model name ends in "bot" is still a phone.
    ['Mozilla/5.0 (Linux; Android 9; CUBOT P30) AppleWebKit/537.36 Chrome/120 Mobile', false],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36',
      false,
    ],
  ])('%s → %s', (ua, bot) => {
    expect(isBot(ua)).toBe(bot);
  });
});

describe('postSlugOf', () => {
  it.each([
    ['/p/hello-world', 'hello-world'],
    ['/p/hello-world/', 'hello-world'],
    ['/p/caf%C3%A9', 'café'],
    ['/p/%E0%A4%A', undefined],
    ['/', undefined],
    ['/tag/p', undefined],
    ['/p/a/b', undefined],
  ])('%s → %s', (path, slug) => {
    expect(postSlugOf(path)).toBe(slug);
  });
});
