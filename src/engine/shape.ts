// Shapes are lists of dims; a dim is a number or a symbol (a string such as 'batch' or 'seq')
// that is fixed only when the graph runs. Two symbols are equal when their names are.
export type Dim = number | string;
export type Shape = readonly Dim[];

export function formatShape(s: Shape): string {
  return `[${s.join(', ')}]`;
}

export function isStatic(s: Shape): s is readonly number[] {
  return s.every((d) => typeof d === 'number');
}

export function numel(s: Shape): Dim {
  if (isStatic(s)) return s.reduce((a, b) => a * b, 1);
  return s.filter((d) => d !== 1).join('*') || 1;
}

export function staticNumel(s: Shape, what: string): number {
  if (!isStatic(s)) throw new Error(`${what}: needs a static shape, got ${formatShape(s)}`);
  return s.reduce((a, b) => a * b, 1);
}

/** Normalises a possibly negative axis against a rank, with an error that names the op. */
export function normAxis(axis: number, rank: number, op: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`${op}: axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Numpy-style broadcasting; throws naming the op and both shapes when they do not agree. */
export function broadcastShapes(op: string, ...shapes: Shape[]): Dim[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of shapes) {
      const k = i - (rank - s.length);
      if (k < 0) continue;
      const e = s[k]!;
      if (e === 1) continue;
      if (d === 1) d = e;
      else if (d !== e) {
        throw new Error(`${op}: shapes ${shapes.map(formatShape).join(' and ')} cannot be broadcast (dim ${i}: ${d} vs ${e})`);
      }
    }
    out.push(d);
  }
  return out;
}

/** a + b for dims; symbolic sums read "32+N". */
export function dimAdd(a: Dim, b: Dim): Dim {
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (a === 0) return b;
  if (b === 0) return a;
  return `${a}+${b}`;
}

/** a − n for a dim and a number: "32+N" − 32 is "N"; otherwise "A-n". */
export function dimSub(a: Dim, n: number): Dim {
  if (typeof a === 'number') return a - n;
  if (n === 0) return a;
  const prefix = `${n}+`;
  if (a.startsWith(prefix)) return a.slice(prefix.length);
  return `${a}-${n}`;
}
