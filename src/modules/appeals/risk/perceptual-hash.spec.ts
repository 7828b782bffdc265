import {
  BandedHashIndex,
  bandsOf,
  dctHash,
  HASH_BANDS,
  hammingDistance,
  NEAR_DUPLICATE_DISTANCE,
  fromStoredBigint,
  toSignedBigint,
} from './perceptual-hash';

/** A deterministic stream of 64-bit values (xorshift64*), so failures reproduce. */
function randomHashes(seed: bigint) {
  let state = seed;
  return () => {
    state ^= state >> 12n;
    state ^= (state << 25n) & 0xffffffffffffffffn;
    state ^= state >> 27n;
    return BigInt.asUintN(64, state * 0x2545f4914f6cdd1dn);
  };
}

/** `hash` with `count` distinct bits flipped, chosen by `next`. */
function flip(hash: bigint, count: number, next: () => bigint): bigint {
  const bits = new Set<number>();
  while (bits.size < count) bits.add(Number(next() % 64n));
  return [...bits].reduce((value, bit) => value ^ (1n << BigInt(bit)), hash);
}

describe('the banded perceptual-hash search', () => {
  it('cuts 64 bits into 9 bands that rebuild the hash', () => {
    expect(HASH_BANDS).toHaveLength(9);
    expect(HASH_BANDS.reduce((sum, width) => sum + width, 0)).toBe(64);
    const hash = 0xfedcba9876543210n;
    const bands = bandsOf(hash);
    let rebuilt = 0n;
    bands.forEach((value, band) => (rebuilt = (rebuilt << BigInt(HASH_BANDS[band])) | BigInt(value)));
    expect(rebuilt).toBe(hash);
    expect(bands[0]).toBe(0xfe);
  });

  it('counts differing bits, and stores a hash as a signed bigint and back', () => {
    expect(hammingDistance(0n, 0xffffffffffffffffn)).toBe(64);
    expect(hammingDistance(0b1011n, 0b0010n)).toBe(2);
    const high = 0xf000000000000001n;
    expect(toSignedBigint(high).startsWith('-')).toBe(true);
    expect(fromStoredBigint(toSignedBigint(high))).toBe(high);
  });

  it('finds every hash within distance 8 (pigeonhole: some band is untouched), and none beyond', () => {
    const next = randomHashes(0x9e3779b97f4a7c15n);
    const index = new BandedHashIndex<string>();
    for (let n = 0; n < 20_000; n += 1) index.add(next(), `noise-${n}`);
    for (let trial = 0; trial < 300; trial += 1) {
      const query = next();
      const distance = trial % (NEAR_DUPLICATE_DISTANCE + 1);
      const near = flip(query, distance, next);
      const far = flip(query, NEAR_DUPLICATE_DISTANCE + 1 + (trial % 20), next);
      index.add(near, `near-${trial}`);
      index.add(far, `far-${trial}`);
      const { matches } = index.near(query);
      expect(matches).toContainEqual({ item: `near-${trial}`, distance });
      expect(matches.map((match) => match.item)).not.toContain(`far-${trial}`);
      expect(matches.every((match) => match.distance <= NEAR_DUPLICATE_DISTANCE)).toBe(true);
    }
  });

  it('checks a bounded share of the hashes, not all of them', () => {
    const next = randomHashes(42n);
    const index = new BandedHashIndex<number>();
    const size = 50_000;
    for (let n = 0; n < size; n += 1) index.add(next(), n);
    const { candidates } = index.near(next());
    // 9 bands of 7-8 bits: about size × (8/128 + 1/256) candidates when hashes spread evenly.
    expect(candidates).toBeLessThan(size / 10);
  });

  it('refuses a distance the bands cannot guarantee', () => {
    expect(() => new BandedHashIndex().near(0n, 9)).toThrow(RangeError);
  });

  it('hashes a picture alike after a change of brightness, and a different picture far from it', () => {
    const picture = Array.from({ length: 1024 }, (_, i) => ((i % 32) * 8 + Math.floor(i / 32) * 3) % 256);
    const brighter = picture.map((value) => Math.min(255, value * 1.05 + 4));
    const other = Array.from({ length: 1024 }, (_, i) => (i * 7919) % 256 ^ (i >> 5));
    expect(hammingDistance(dctHash(picture), dctHash(brighter))).toBeLessThanOrEqual(NEAR_DUPLICATE_DISTANCE);
    expect(hammingDistance(dctHash(picture), dctHash(other))).toBeGreaterThan(NEAR_DUPLICATE_DISTANCE);
  });
});
