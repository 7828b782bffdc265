/**
 * 64-bit perceptual hashes of images and the banded search for near duplicates
 * (docs/appeals.md, "Evidence signals").
 *
 * Two images are near duplicates when their hashes differ in at most NEAR_DUPLICATE_DISTANCE
 * bits. The hash is cut into HASH_BANDS.length (9) disjoint bands; two hashes that differ in at
 * most 8 bits cannot differ in all 9 bands (pigeonhole), so every near duplicate shares at least
 * one whole band with the new hash. The search looks each band up by its value (an index in
 * PostgreSQL, a map here) and checks the distance of what it finds: a bounded number of
 * candidates instead of every hash.
 */

export const NEAR_DUPLICATE_DISTANCE = 8;

/** Bit widths of the bands, high bits first: 8 + 8 × 7 = 64 bits in 9 bands. */
export const HASH_BANDS: readonly number[] = [8, 7, 7, 7, 7, 7, 7, 7, 7];

/** The value of each band of a 64-bit hash (unsigned), in HASH_BANDS's order. */
export function bandsOf(hash: bigint): number[] {
  const unsigned = BigInt.asUintN(64, hash);
  const values: number[] = [];
  let shift = 64;
  for (const width of HASH_BANDS) {
    shift -= width;
    values.push(Number((unsigned >> BigInt(shift)) & ((1n << BigInt(width)) - 1n)));
  }
  return values;
}

/** The number of bits in which two 64-bit hashes differ. */
export function hammingDistance(a: bigint, b: bigint): number {
  let rest = BigInt.asUintN(64, a ^ b);
  let count = 0;
  while (rest) {
    rest &= rest - 1n;
    count += 1;
  }
  return count;
}

/** How PostgreSQL stores a hash (bigint is signed) and back. */
export function toSignedBigint(hash: bigint): string {
  return BigInt.asIntN(64, hash).toString();
}

export function fromStoredBigint(stored: string): bigint {
  return BigInt.asUintN(64, BigInt(stored));
}

export function hashHex(hash: bigint): string {
  return BigInt.asUintN(64, hash).toString(16).padStart(16, '0');
}

/**
 * The banded search in memory, exactly as the database runs it: each hash filed under its 9
 * `(band, value)` keys; a query gathers the hashes under its own 9 keys and keeps those within the
 * distance. Used by the unit test of the method and by tools that check a set of hashes.
 */
export class BandedHashIndex<T> {
  private readonly buckets = new Map<string, { hash: bigint; item: T }[]>();

  add(hash: bigint, item: T): void {
    bandsOf(hash).forEach((value, band) => {
      const key = `${band}:${value}`;
      const bucket = this.buckets.get(key);
      if (bucket) bucket.push({ hash, item });
      else this.buckets.set(key, [{ hash, item }]);
    });
  }

  /** Every item within `maxDistance` (at most 8, the bands' guarantee) of `hash`, nearest first, and how many candidates were checked. */
  near(hash: bigint, maxDistance = NEAR_DUPLICATE_DISTANCE): { matches: { item: T; distance: number }[]; candidates: number } {
    if (maxDistance > NEAR_DUPLICATE_DISTANCE) throw new RangeError(`the bands find distances up to ${NEAR_DUPLICATE_DISTANCE}`);
    const seen = new Set<{ hash: bigint; item: T }>();
    bandsOf(hash).forEach((value, band) => {
      for (const entry of this.buckets.get(`${band}:${value}`) ?? []) seen.add(entry);
    });
    const matches = [...seen]
      .map((entry) => ({ item: entry.item, distance: hammingDistance(entry.hash, hash) }))
      .filter((match) => match.distance <= maxDistance)
      .sort((a, b) => a.distance - b.distance);
    return { matches, candidates: seen.size };
  }
}

const SIZE = 32;
const KEPT = 8;
/** cos((2x + 1)uπ / 2N) for the 8 lowest frequencies. */
const COSINES: readonly Float64Array[] = Array.from({ length: KEPT }, (_, u) =>
  Float64Array.from({ length: SIZE }, (_, x) => Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIZE))),
);

/**
 * The DCT perceptual hash of a 32×32 greyscale image (row by row, 1024 samples): the 8×8 lowest
 * frequencies of its discrete cosine transform, each bit set when the coefficient is above their
 * median (the constant term left out of the median). Re-encoding, rescaling or a slight change of
 * brightness moves few bits; a different picture about half of them.
 */
export function dctHash(grey: ArrayLike<number>): bigint {
  if (grey.length !== SIZE * SIZE) throw new RangeError(`expected ${SIZE * SIZE} samples`);
  const rows = new Float64Array(KEPT * SIZE);
  for (let y = 0; y < SIZE; y += 1)
    for (let u = 0; u < KEPT; u += 1) {
      let sum = 0;
      for (let x = 0; x < SIZE; x += 1) sum += grey[y * SIZE + x] * COSINES[u][x];
      rows[u * SIZE + y] = sum;
    }
  const coefficients: number[] = [];
  for (let v = 0; v < KEPT; v += 1)
    for (let u = 0; u < KEPT; u += 1) {
      let sum = 0;
      for (let y = 0; y < SIZE; y += 1) sum += rows[u * SIZE + y] * COSINES[v][y];
      coefficients.push(sum);
    }
  const sorted = coefficients.slice(1).sort((a, b) => a - b);
  const median = (sorted[31] + sorted[32]) / 2;
  let hash = 0n;
  for (const coefficient of coefficients) hash = (hash << 1n) | (coefficient > median ? 1n : 0n);
  return hash;
}

export const HASH_INPUT_SIZE = SIZE;
