// The metrics log (JSONL, one object per logged step, appended so resumed runs extend it), the
// samples-per-second figure its lines carry, and a loss-curve PNG drawn from it.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import sharp from 'sharp';

export class MetricsLog {
  constructor(readonly path: string) {}

  write(entry: Record<string, unknown>): void {
    appendFileSync(this.path, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  }

  read(): Array<Record<string, number | string>> {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l));
  }
}

/** Samples per second since the last restart (the figure each metrics line reports). */
export class Throughput {
  private start = performance.now();
  private samples = 0;

  /** Counts `samples` more and returns the rate over the window so far. */
  add(samples: number): number {
    this.samples += samples;
    return this.samples / Math.max((performance.now() - this.start) / 1000, 1e-9);
  }

  restart(): void {
    this.start = performance.now();
    this.samples = 0;
  }
}

/** A log-scale loss curve (raw points and a moving average) as a PNG. */
export async function plotLossCurve(entries: Array<Record<string, unknown>>, out: string): Promise<void> {
  const pts = entries.filter((e) => typeof e.loss === 'number' && typeof e.step === 'number' && (e.loss as number) > 0);
  if (pts.length < 2) throw new Error('loss curve: fewer than two logged steps');
  const W = 800;
  const H = 400;
  const pad = 50;
  const steps = pts.map((p) => p.step as number);
  const logs = pts.map((p) => Math.log10(p.loss as number));
  const [s0, s1] = [Math.min(...steps), Math.max(...steps)];
  const [l0, l1] = [Math.min(...logs), Math.max(...logs)];
  const x = (s: number) => pad + ((s - s0) / Math.max(1, s1 - s0)) * (W - 2 * pad);
  const y = (l: number) => H - pad - ((l - l0) / Math.max(1e-9, l1 - l0)) * (H - 2 * pad);
  const k = Math.max(1, Math.round(pts.length / 50));
  const smooth = logs.map((_, i) => {
    const win = logs.slice(Math.max(0, i - k), i + k + 1);
    return win.reduce((a, b) => a + b, 0) / win.length;
  });
  const line = (vals: number[]) => vals.map((v, i) => `${x(steps[i]!).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const ticks = [l0, (l0 + l1) / 2, l1]
    .map((l) => `<text x="4" y="${y(l) + 4}" font-size="12" font-family="sans-serif">${(10 ** l).toPrecision(3)}</text>`)
    .join('');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
<rect width="100%" height="100%" fill="white"/>
<polyline fill="none" stroke="#bbb" stroke-width="1" points="${line(logs)}"/>
<polyline fill="none" stroke="#c33" stroke-width="2" points="${line(smooth)}"/>
<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="black"/>
<line x1="${pad}" y1="${pad}" x2="${pad}" y2="${H - pad}" stroke="black"/>
${ticks}
<text x="${W / 2}" y="${H - 15}" font-size="12" font-family="sans-serif" text-anchor="middle">step ${s0}–${s1} (loss, log scale)</text>
</svg>`;
  await sharp(Buffer.from(svg)).png().toFile(out);
}
