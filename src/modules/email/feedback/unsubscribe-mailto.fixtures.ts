/**
 * Test-only helpers for the mailto half of List-Unsubscribe: reading the header off a raw
 * message as a receiving mail client would, and mailing the bounce listener as that client's
 * server would. Like feedback.fixtures.ts, nothing here comes from test/.
 */
import nodemailer from 'nodemailer';

/**
 * One header of a raw message, unfolded (RFC 5322 §2.2.3: only the line breaks go), or
 * undefined when it is missing or given more than once.
 */
export function rawHeader(raw: Buffer | string, name: string): string | undefined {
  const text = raw.toString();
  const end = text.search(/\r?\n\r?\n/);
  const unfolded = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n(?=[ \t])/g, '');
  const prefix = `${name.toLowerCase()}:`;
  const found = unfolded.split(/\r?\n/).filter((l) => l.toLowerCase().startsWith(prefix));
  return found.length === 1 ? found[0]!.slice(prefix.length).trim() : undefined;
}

/** The targets of a `List-Unsubscribe` value, in order, without their angle brackets. */
export function unsubscribeTargets(value: string): string[] {
  return value.split(',').map((t) => /^\s*<([^<>]+)>\s*$/.exec(t)?.[1] ?? `unparsed: ${t}`);
}

/** What a mail client does with a `mailto:` target: its address, and its subject. */
export function mailtoParts(target: string): { address: string; subject: string | null } {
  const url = new URL(target);
  if (url.protocol !== 'mailto:') throw new Error(`not a mailto target: ${target}`);
  return { address: decodeURIComponent(url.pathname), subject: url.searchParams.get('subject') };
}

/** An SMTP client for a listener on loopback that offers no STARTTLS. */
export function loopbackMailer(port: number) {
  return nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
}
