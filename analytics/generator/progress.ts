/**
 * The terminal's view of a run: one bar redrawn in place on a TTY (months done, orders, rate, ETA),
 * plain lines otherwise (CI logs, pipes).
 */
export interface ProgressSink {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms)) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
};

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US');

export class Progress {
  private done = 0;
  private rows = 0;
  private readonly started = performance.now();
  private lastDraw = 0;

  constructor(
    private readonly sink: ProgressSink,
    private readonly totalMonths: number,
    private readonly totalRows: number,
  ) {}

  /** A month was written. */
  month(label: string, rows: number): void {
    this.done++;
    this.rows += rows;
    if (this.sink.isTTY) this.draw(true);
    else this.sink.write(`${this.line()}  (${label})\n`);
  }

  /** Rows generated but not yet written, for a livelier bar. */
  tick(): void {
    if (this.sink.isTTY) this.draw(false);
  }

  finish(): void {
    if (this.sink.isTTY) this.sink.write('\n');
  }

  private line(): string {
    const elapsed = performance.now() - this.started;
    const rate = this.rows / Math.max(elapsed / 1000, 1e-3);
    const eta = this.rows > 0 ? ((this.totalRows - this.rows) / rate) * 1000 : Number.POSITIVE_INFINITY;
    const width = 24;
    const filled = Math.round((width * this.done) / Math.max(this.totalMonths, 1));
    const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
    return `${bar} ${this.done}/${this.totalMonths} months  ${formatCount(this.rows)}/${formatCount(this.totalRows)} orders  ${formatCount(rate)}/s  ETA ${this.done === this.totalMonths ? '0s' : formatDuration(eta)}  elapsed ${formatDuration(elapsed)}`;
  }

  private draw(force: boolean): void {
    const now = performance.now();
    if (!force && now - this.lastDraw < 250) return;
    this.lastDraw = now;
    this.sink.write(`\r${this.line()}\u001b[K`);
  }
}
