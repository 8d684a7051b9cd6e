/**
 * Columns of the audit index (auditIndex.ts): numbers in typed arrays, and the string dictionaries
 * that text columns hold ids of.
 *
 * One column: numbers in a growable typed array. A million records
 * make twelve such columns; as typed arrays they live outside the JS heap, so the garbage collector
 * neither traces nor moves them (as `number[]` they made major collections of 100+ ms during the first
 * index build, each one blocking the extension host), and a filter loop over them is a tight scan.
 */
export class IndexColumn<T extends Float64Array | Int32Array> {
  private data: T;
  private count = 0;

  constructor(
    private readonly make: (length: number) => T,
    capacity = 1024,
  ) {
    this.data = make(capacity);
  }

  get length(): number {
    return this.count;
  }

  push(value: number): void {
    if (this.count === this.data.length) this.grow();
    this.data[this.count++] = value;
  }

  /** Whether less than a quarter of the capacity is left (see {@link growAhead}). */
  get nearlyFull(): boolean {
    return this.data.length - this.count < this.data.length / 4;
  }

  /** Doubles the capacity (a copy of every value: ~4 ms for a million float64s). */
  grow(): void {
    const grown = this.make(this.data.length * 2);
    grown.set(this.data.subarray(0, this.count));
    this.data = grown;
  }

  at(i: number): number {
    return this.data[i] as number;
  }

  /** The values, as a view without a copy (valid until the next push or `keep`). */
  view(): T {
    return this.data.subarray(0, this.count) as T;
  }

  /** Keeps only the values at `positions` (ascending), in that order. */
  keep(positions: readonly number[]): void {
    const next = this.make(Math.max(1024, positions.length));
    for (let k = 0; k < positions.length; k++) next[k] = this.data[positions[k] as number] as number;
    this.data = next;
    this.count = positions.length;
  }
}

/**
 * Grows at most one of these columns, the first that is nearly full. Called every few hundred
 * records, it spreads the growth of columns that fill up together (a dozen pushed per record) over
 * as many event-loop turns instead of doubling them all, 56 MB at 500K records, inside one push.
 */
export function growAhead(columns: readonly IndexColumn<Float64Array | Int32Array>[]): void {
  columns.find((c) => c.nearlyFull)?.grow();
}

export const float64Column = (): IndexColumn<Float64Array> => new IndexColumn((n) => new Float64Array(n));
export const int32Column = (): IndexColumn<Int32Array> => new IndexColumn((n) => new Int32Array(n));

/** String dictionary of a text column (server, tool, user, caller): each distinct value stored once, referenced by number. */
export class Dict {
  private readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  id(value: string): number {
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }
  lookup(value: string): number | undefined {
    return this.ids.get(value);
  }
  /** Mask of entries containing `needle` (already lower case). */
  mask(needle: string): Uint8Array {
    const m = new Uint8Array(this.values.length);
    this.values.forEach((v, i) => {
      if (v.toLowerCase().includes(needle)) m[i] = 1;
    });
    return m;
  }
}
