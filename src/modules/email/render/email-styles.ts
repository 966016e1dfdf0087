import { contrastRatio, textColourOn } from '../../../site/views/format.js';

/**
 * The stylesheet of a post email. juice inlines every rule onto the elements (Gmail and
 * Outlook drop or mangle `<style>`); only the media query stays in `<style>`, where the
 * clients that honour it (Apple Mail, iOS, Gmail apps) make the 600px column fluid.
 *
 * Dark mode: every cell has its own background and text colour, so clients that invert
 * colours invert a complete, consistent palette rather than painting dark text on their
 * dark default; `color-scheme: light only` asks those that listen not to invert at all.
 * Nothing is white text on a transparent background: the one white-on-colour (the
 * button) has its colour on both the cell and the link.
 */
export const PALETTE = {
  page: '#f3f3f0',
  paper: '#ffffff',
  ink: '#1d1d1b',
  muted: '#5f5f5a',
  rule: '#e2e2dc',
  quote: '#f7f7f4',
  quoteInk: '#2b2b28',
  code: '#f1f1ee',
} as const;

export const CONTAINER_WIDTH = 600;

const SANS = `-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif`;
const SERIF = `Georgia, 'Times New Roman', Times, serif`;
const MONO = `Menlo, Consolas, 'Courier New', monospace`;

/** Links in the accent when it is readable on white, otherwise in the text colour. */
export function linkColour(accent: string): string {
  return contrastRatio(accent, PALETTE.paper) >= 4.5 ? accent : PALETTE.ink;
}

export function emailCss(accent: string): string {
  const p = PALETTE;
  const link = linkColour(accent);
  return `
body { margin: 0; padding: 0; width: 100%; background-color: ${p.page}; color: ${p.ink}; -webkit-text-size-adjust: 100%; -ms-text-size-adjust: 100%; }
table { border-collapse: collapse; mso-table-lspace: 0pt; mso-table-rspace: 0pt; }
img { border: 0; outline: none; text-decoration: none; -ms-interpolation-mode: bicubic; }
.preheader { display: none; max-height: 0; max-width: 0; overflow: hidden; opacity: 0; font-size: 1px; line-height: 1px; color: ${p.page}; background-color: ${p.page}; mso-hide: all; }
.page { width: 100%; background-color: ${p.page}; }
.page-cell { padding: 24px 12px; background-color: ${p.page}; color: ${p.ink}; }
.container { width: ${CONTAINER_WIDTH}px; max-width: ${CONTAINER_WIDTH}px; background-color: ${p.paper}; }
.browser-link { padding: 0 0 12px; background-color: ${p.page}; color: ${p.muted}; font-family: ${SANS}; font-size: 12px; line-height: 1.4; text-align: center; }
.browser-link a { color: ${p.muted}; text-decoration: underline; }
.masthead { padding: 28px 40px 0; background-color: ${p.paper}; color: ${p.ink}; border-top: 4px solid ${accent}; font-family: ${SANS}; font-size: 15px; font-weight: bold; letter-spacing: 0.02em; text-align: center; }
.masthead a { color: ${p.ink}; text-decoration: none; }
.masthead img { height: 44px; width: auto; }
.feature { padding: 24px 0 0; background-color: ${p.paper}; color: ${p.ink}; }
.feature img { display: block; width: 100%; max-width: ${CONTAINER_WIDTH}px; height: auto; }
.content { padding: 28px 40px 12px; background-color: ${p.paper}; color: ${p.ink}; font-family: ${SANS}; font-size: 17px; line-height: 1.6; text-align: left; }
.content .title { margin: 0 0 8px; color: ${p.ink}; font-family: ${SERIF}; font-size: 32px; line-height: 1.2; font-weight: bold; }
.content .byline { margin: 0 0 28px; color: ${p.muted}; font-size: 14px; line-height: 1.5; }
.content p { margin: 0 0 18px; color: ${p.ink}; }
.content h1, .content h2, .content h3, .content h4, .content h5, .content h6 { margin: 32px 0 12px; color: ${p.ink}; font-family: ${SERIF}; line-height: 1.3; font-weight: bold; }
.content h1 { font-size: 28px; }
.content h2 { font-size: 24px; }
.content h3 { font-size: 20px; }
.content h4, .content h5, .content h6 { font-size: 17px; }
.content a { color: ${link}; text-decoration: underline; }
.content strong { font-weight: bold; }
.content blockquote { margin: 0 0 22px; padding: 14px 18px 2px 18px; border-left: 4px solid ${accent}; background-color: ${p.quote}; color: ${p.quoteInk}; font-size: 16px; line-height: 1.65; font-style: normal; }
.content blockquote p { margin: 0 0 14px; color: ${p.quoteInk}; }
.content blockquote blockquote { margin: 0 0 14px; padding: 8px 0 0 14px; border-left: 3px solid ${p.rule}; }
.content ul, .content ol { margin: 0 0 18px; padding: 0 0 0 26px; }
.content li { margin: 0 0 6px; color: ${p.ink}; }
.content li p { margin: 0 0 6px; }
.content img { display: block; max-width: 100%; height: auto; margin: 0 auto 18px; }
.content pre { margin: 0 0 18px; padding: 12px 14px; background-color: ${p.code}; color: ${p.ink}; font-family: ${MONO}; font-size: 13px; line-height: 1.5; white-space: pre-wrap; word-wrap: break-word; }
.content code { background-color: ${p.code}; color: ${p.ink}; font-family: ${MONO}; font-size: 14px; }
.content pre code { font-size: 13px; }
.content hr { height: 1px; margin: 28px 0; border: 0; background-color: ${p.rule}; color: ${p.rule}; }
.content sup { font-size: 12px; line-height: 0; vertical-align: super; }
.content .footnotes { margin: 32px 0 0; padding: 8px 0 0; border-top: 1px solid ${p.rule}; color: ${p.muted}; font-size: 14px; line-height: 1.5; }
.content .footnotes h2 { margin: 12px 0 8px; color: ${p.muted}; font-family: ${SANS}; font-size: 14px; text-transform: uppercase; letter-spacing: 0.05em; }
.content .footnotes ol { padding-left: 22px; }
.content .footnotes li { color: ${p.muted}; }
.content .footnotes p { margin: 0 0 6px; color: ${p.muted}; font-size: 14px; }
.cta-row { padding: 8px 40px 28px; background-color: ${p.paper}; color: ${p.ink}; }
.cta { padding: 24px; border: 1px solid ${p.rule}; background-color: ${p.quote}; color: ${p.ink}; font-family: ${SANS}; text-align: center; }
.cta-heading { margin: 0 0 8px; color: ${p.ink}; font-family: ${SERIF}; font-size: 22px; line-height: 1.3; font-weight: bold; }
.cta-text { margin: 0 0 20px; color: ${p.ink}; font-size: 16px; line-height: 1.5; }
.button-cell { background-color: ${accent}; color: ${textColourOn(accent)}; border-radius: 6px; }
.button { display: inline-block; padding: 12px 26px; background-color: ${accent}; color: ${textColourOn(accent)}; border-radius: 6px; font-family: ${SANS}; font-size: 16px; font-weight: bold; text-decoration: none; }
.footer { padding: 24px 40px 32px; background-color: ${p.page}; color: ${p.muted}; font-family: ${SANS}; font-size: 13px; line-height: 1.6; text-align: center; }
.footer p { margin: 0 0 8px; color: ${p.muted}; }
.footer a { color: ${p.muted}; text-decoration: underline; }
@media only screen and (max-width: 620px) {
  .page-cell { padding: 0 !important; }
  .container { width: 100% !important; }
  .masthead, .content, .cta-row, .footer { padding-left: 20px !important; padding-right: 20px !important; }
  .content .title { font-size: 26px !important; }
  .content { font-size: 16px !important; }
}`;
}
