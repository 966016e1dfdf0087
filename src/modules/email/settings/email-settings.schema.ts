import { z } from 'zod';

/** A host name or an IP address, as an SMTP client would dial it. */
const host = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(253)
  .regex(/^[A-Za-z0-9.:[\]-]+$/, 'must be a host name like smtp.example.com or an IP address');

/**
 * How the connection is secured: `tls` from the first byte (usually port 465), `starttls`
 * upgraded and required (587), `none` for a relay on the same machine or network.
 */
export const smtpSecurity = z.enum(['tls', 'starttls', 'none'], {
  message: 'must be tls, starttls or none',
});
export type SmtpSecurity = z.output<typeof smtpSecurity>;

export const smtpSettingsSchema = z.strictObject({
  host,
  port: z.number({ message: 'must be a number' }).int().min(1).max(65535),
  security: smtpSecurity,
  user: z.string().trim().max(320).default(''),
  /** Left out: keep the stored password. Empty: no password. */
  password: z.string().max(1000).optional(),
  connections: z.number({ message: 'must be a number' }).int().min(1).max(50).default(5),
});

export const transportPutSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('smtp'), smtp: smtpSettingsSchema }),
    z.strictObject({
      kind: z.literal('postmark'),
      postmark: z.strictObject({
        /** Left out: keep the stored token. */
        server_token: z.string().trim().min(1, 'must not be empty').max(200).optional(),
      }),
    }),
    z.strictObject({ kind: z.null() }),
  ],
  { message: 'must be smtp, postmark or null' },
);
export type TransportPut = z.output<typeof transportPutSchema>;

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(
    /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'must be a domain like example.com',
  );
const selector = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/, 'must be a selector like pressroom');

export const dkimGenerateSchema = z.strictObject({ domain, selector });
export const dkimPutSchema = z.strictObject({
  domain,
  selector,
  private_key: z.string().trim().min(1, 'is required').max(20_000),
});

export const testEmailSchema = z.strictObject({ to: z.email('must be an email address') });

/** What is stored under the `transport` key. */
export type StoredTransport =
  | {
      kind: 'smtp';
      smtp: {
        host: string;
        port: number;
        security: SmtpSecurity;
        user: string;
        password: string;
        connections: number;
      };
    }
  | { kind: 'postmark'; postmark: { server_token: string } };

/** What is stored under the `dkim` key. */
export interface StoredDkim {
  domain: string;
  selector: string;
  private_key: string;
}
