/**
 * Sequences a plan is made of: a known length, and values made as they are
 * read.
 *
 * @module
 */

/**
 * A sequence of known length whose values are made as they are read. Each
 * iteration starts over from the same seed, so every pass yields the same
 * values: a plan of ten million requests costs no memory until it is read,
 * and reading its first three (to show them) leaves the run's pass intact.
 * An array is a `Sequence` too.
 */
export interface Sequence<T> {
  /** Number of values an iteration yields. */
  readonly length: number;
  /** A fresh pass from the first value. */
  [Symbol.iterator](): Iterator<T>;
}

/**
 * The sequence of `length` values that `start()` yields; `start` is called
 * once per pass, so it should draw from a fresh seeded source each time.
 *
 * @example
 * ```ts
 * const squares = lazySequence(3, function* () {
 *   for (let i = 0; i < 3; i++) yield i * i;
 * });
 * [...squares]; // [0, 1, 4]
 * squares.length; // 3
 * ```
 */
export function lazySequence<T>(length: number, start: () => Iterator<T>): Sequence<T> {
  return { length, [Symbol.iterator]: start };
}

/**
 * `f` of each value of `source`, made as read.
 *
 * @example
 * ```ts
 * [...mapSequence([1, 2, 3], (x, i) => x + i)]; // [1, 3, 5]
 * ```
 */
export function mapSequence<T, U>(
  source: Sequence<T>,
  f: (value: T, index: number) => U,
): Sequence<U> {
  return lazySequence(source.length, function* () {
    let i = 0;
    for (const value of source) yield f(value, i++);
  });
}

/**
 * The first `count` values of `source` (all of them when it is shorter), in an array.
 *
 * @example
 * ```ts
 * take(lazySequence(5, function* () { yield* [1, 2, 3, 4, 5]; }), 2); // [1, 2]
 * ```
 */
export function take<T>(source: Iterable<T>, count: number): T[] {
  const out: T[] = [];
  if (count <= 0) return out;
  for (const value of source) {
    out.push(value);
    if (out.length >= count) break;
  }
  return out;
}

/**
 * Every `step`-th value of `source` from position `start` (positions start,
 * start + step, …), made as read: the values of the other positions are still
 * drawn, so each keeps the value it has in `source`.
 *
 * @example
 * ```ts
 * [...strideSequence([0, 1, 2, 3, 4, 5, 6], 1, 3)]; // [1, 4]
 * strideSequence([0, 1, 2, 3, 4, 5, 6], 0, 3).length; // 3
 * ```
 */
export function strideSequence<T>(source: Sequence<T>, start: number, step: number): Sequence<T> {
  if (!(Number.isInteger(start) && Number.isInteger(step) && start >= 0 && step >= 1)) {
    throw new RangeError(`stride needs 0 ≤ start and step ≥ 1, got ${start} and ${step}`);
  }
  const length = source.length > start ? Math.ceil((source.length - start) / step) : 0;
  return lazySequence(length, function* () {
    let position = 0;
    let yielded = 0;
    for (const value of source) {
      if (yielded >= length) return;
      if (position >= start && (position - start) % step === 0) {
        yield value;
        yielded++;
      }
      position++;
    }
  });
}
