import { processed, progressText, type SendSummary } from './sends-api.js';

/**
 * How far a send has gone, in one bar: sent, then failed, then suppressed, out of everyone
 * in the segment. A progressbar, so a screen reader hears the figures in words.
 */
export function SendProgressBar({ send, label }: { send: SendSummary; label: string }) {
  const total = Math.max(send.total, 1);
  const share = (n: number) => `${Math.min(100, (n / total) * 100)}%`;
  return (
    <div
      className="pr-send-bar"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={send.total}
      aria-valuenow={processed(send)}
      aria-valuetext={progressText(send)}
    >
      <span className="pr-send-bar-sent" style={{ width: share(send.sent) }} />
      <span className="pr-send-bar-failed" style={{ width: share(send.failed) }} />
      <span className="pr-send-bar-suppressed" style={{ width: share(send.suppressed) }} />
    </div>
  );
}
