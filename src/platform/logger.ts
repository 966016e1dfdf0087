import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino(
    {
      level,
      base: { service: 'pressroom' },
      // Never log secrets that may travel in headers or bodies.
      redact: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'],
    },
    // Asynchronous writes: lines logged while a write is in flight go out together in the
    // next one, so a busy server makes far fewer write(2) calls, and an idle one still shows
    // each line at once. pino flushes what is pending when the process exits; so does shutdown.
    pino.destination({ dest: 1, sync: false }),
  );
}
