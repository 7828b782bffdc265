import { createHash } from 'node:crypto';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  NodeReader,
  rootHash,
  TreeFrontier,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

/** RFC 9162 section 2.1, written out as the RFC defines it, over the whole list of leaves. */
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const k = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
const mth = (d: Buffer[]): Buffer =>
  d.length === 0
    ? sha()
    : d.length === 1
      ? sha(Buffer.from([0]), d[0])
      : sha(Buffer.from([1]), mth(d.slice(0, k(d.length))), mth(d.slice(k(d.length))));
const path = (m: number, d: Buffer[]): Buffer[] => {
  if (d.length === 1) return [];
  const split = k(d.length);
  return m < split ? [...path(m, d.slice(0, split)), mth(d.slice(split))] : [...path(m - split, d.slice(split)), mth(d.slice(0, split))];
};
const subproof = (m: number, d: Buffer[], b: boolean): Buffer[] => {
  if (m === d.length) return b ? [] : [mth(d)];
  const split = k(d.length);
  return m <= split
    ? [...subproof(m, d.slice(0, split), b), mth(d.slice(split))]
    : [...subproof(m - split, d.slice(split), false), mth(d.slice(0, split))];
};

describe('audit Merkle tree', () => {
  const entries = Array.from({ length: 37 }, (_, n) => Buffer.from(`event ${n}`));
  // The stored perfect subtrees, as the sequencer writes them leaf by leaf.
  const stored = new Map<string, Buffer>();
  const frontier = TreeFrontier.of(0, () => Buffer.alloc(0));
  const roots: Buffer[] = [];
  for (const entry of entries) {
    frontier.append(leafHash(entry), (level, index, hash) => stored.set(`${level}:${index}`, hash));
    roots.push(frontier.root());
  }
  const read: NodeReader = (level, index) => {
    const hash = stored.get(`${level}:${index}`);
    if (!hash) throw new Error(`no node ${level}:${index}`);
    return hash;
  };

  it('computes the root of every size as RFC 9162 defines it, from the frontier and from stored nodes', () => {
    for (let n = 1; n <= entries.length; n += 1) {
      expect(roots[n - 1].toString('hex')).toBe(mth(entries.slice(0, n)).toString('hex'));
      expect(rootHash(read, n).toString('hex')).toBe(roots[n - 1].toString('hex'));
    }
    expect(leafHash('').toString('hex')).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
  });

  it('gives the audit path of every leaf in every tree, which verifies, and fails for another leaf or root', () => {
    for (let n = 1; n <= entries.length; n += 1) {
      for (let m = 0; m < n; m += 1) {
        const proof = inclusionProof(read, m, n);
        expect(proof.map((hash) => hash.toString('hex'))).toEqual(path(m, entries.slice(0, n)).map((hash) => hash.toString('hex')));
        expect(verifyInclusion(leafHash(entries[m]), m, n, proof, roots[n - 1])).toBe(true);
        expect(verifyInclusion(leafHash(entries[(m + 1) % n]), m, n, proof, roots[n - 1])).toBe(n === 1);
      }
    }
  });

  it('gives the consistency proof between every two sizes, which verifies, and fails against another root', () => {
    for (let n = 1; n <= entries.length; n += 1) {
      for (let m = 1; m <= n; m += 1) {
        const proof = consistencyProof(read, m, n);
        expect(proof.map((hash) => hash.toString('hex'))).toEqual(
          (m === n ? [] : subproof(m, entries.slice(0, n), true)).map((hash) => hash.toString('hex')),
        );
        expect(verifyConsistency(m, n, proof, roots[m - 1], roots[n - 1])).toBe(true);
        if (m < n) expect(verifyConsistency(m, n, proof, roots[m - 1], roots[n - 2])).toBe(false);
      }
    }
  });

  it('reopens a frontier from stored nodes and goes on as if it had never stopped', () => {
    const reopened = TreeFrontier.of(21, read);
    for (const entry of entries.slice(21)) reopened.append(leafHash(entry), () => undefined);
    expect(reopened.root().equals(roots[roots.length - 1])).toBe(true);
    expect(TreeFrontier.keys(21)).toEqual([
      { level: 4, index: 0 },
      { level: 2, index: 4 },
      { level: 0, index: 20 },
    ]);
  });
});
