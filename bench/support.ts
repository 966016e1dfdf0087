import { readFileSync, writeFileSync } from 'node:fs';

/** `--name=N` from the command line, a positive whole number, or the fallback. */
export function option(name: string, fallback: number): number {
  const arg = process.argv.slice(2).find((a) => a.startsWith(`--${name}=`));
  const value = arg === undefined ? fallback : Number(arg.slice(name.length + 3));
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive whole number`);
  return value;
}

/** Peak resident memory since the last reset, from the kernel; undefined off Linux. */
export function highWaterMark(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Resets the peak to the current RSS, so set-up before the measured part does not count. */
export function resetHighWaterMark(): void {
  try {
    // "5" resets VmHWM to the current RSS (Linux 4.0+).
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not allowed: 50 ms samples of the RSS still give the peak.
  }
}
