// Argument checks shared by the flow modules. Every message names the argument, so a caller
// wiring a pipeline or trainer sees at once which value was wrong.

export function checkSameLength(aName: string, a: ArrayLike<number>, bName: string, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new RangeError(`${aName} has length ${a.length} but ${bName} has length ${b.length}; they must match`);
  }
}

export function checkUnitInterval(name: string, t: number): void {
  if (!(t >= 0 && t <= 1)) throw new RangeError(`${name} must be in [0, 1], got ${t}`);
}

export function checkPositive(name: string, v: number): void {
  if (!(v > 0 && Number.isFinite(v))) throw new RangeError(`${name} must be a finite number > 0, got ${v}`);
}

export function checkFinite(name: string, v: number): void {
  if (!Number.isFinite(v)) throw new RangeError(`${name} must be a finite number, got ${v}`);
}

export function checkProbability(name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be a probability in [0, 1], got ${p}`);
}
