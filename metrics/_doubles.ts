/**
 * A growable list of doubles, 8 bytes each (a JS array of numbers may box
 * them, and grows by half again each time).
 *
 * @module
 */

/** A growable Float64Array. */
export class Doubles {
  #data = new Float64Array(256);
  /** Values held. */
  length = 0;

  /** Appends `x`. */
  push(x: number): void {
    if (this.length === this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.length++] = x;
  }

  /** The values held, as a view (valid until the next push). */
  view(): Float64Array {
    return this.#data.subarray(0, this.length);
  }

  /** A sorted copy of the values. */
  sorted(): Float64Array {
    return this.#data.slice(0, this.length).sort();
  }
}
