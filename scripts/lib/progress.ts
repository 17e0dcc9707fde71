/**
 * A one-line progress bar on stderr for long scripts: done/total, rate, elapsed, ETA and a caller's
 * suffix; redrawn in place on a TTY, one line every 10 s otherwise (logs). Node only.
 */

const fmt = (s: number) =>
  Number.isFinite(s) ? `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}` : '--:--';

export class ProgressBar {
  private readonly t0 = performance.now();
  private last = 0;
  done = 0;

  constructor(
    private readonly total: number,
    private readonly unit = 'episodes',
  ) {}

  /** Seconds since construction. */
  get seconds(): number {
    return (performance.now() - this.t0) / 1000;
  }

  /** Redraw (throttled unless `force`) with an extra text after the numbers. */
  tick(suffix = '', force = false): void {
    const t = performance.now();
    const tty = process.stderr.isTTY;
    if (!force && t - this.last < (tty ? 200 : 10_000)) return;
    this.last = t;
    const secs = this.seconds;
    const perS = this.done / Math.max(secs, 1e-3);
    const eta = perS > 0 ? (this.total - this.done) / perS : Number.NaN;
    const width = 24;
    const fill = Math.round((width * this.done) / Math.max(1, this.total));
    const line =
      `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${this.done}/${this.total} ${this.unit}  ` +
      `${perS.toFixed(2)}/s  elapsed ${fmt(secs)}  ETA ${fmt(eta)}${suffix ? `  ${suffix}` : ''}`;
    process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
  }

  /** Final redraw and newline. */
  end(suffix = ''): void {
    this.tick(suffix, true);
    if (process.stderr.isTTY) process.stderr.write('\n');
  }
}
