// Checked indexing, shared by every layer (it imports nothing). With noUncheckedIndexedAccess an
// element read may be past the end; `at` turns that into an error naming which array and which
// index, where a bare `arr[i]!` would let undefined flow on and fail later, far from the cause.
// Hot loops over arrays whose lengths were checked use a local `!` instead (see the comment there).

/** arr[i], or a RangeError naming `what` when arr holds nothing at i. */
export function at<T>(arr: ArrayLike<T>, i: number, what: string): T {
  const v = arr[i];
  if (v === undefined) throw new RangeError(`${what}: no element at index ${i} (length ${arr.length})`);
  return v;
}
