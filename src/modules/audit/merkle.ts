import { createHash } from 'node:crypto';

/**
 * The Merkle tree of the audit log, hashed as Certificate Transparency hashes it (RFC 9162,
 * section 2.1): leaf = SHA-256(0x00 || leaf), node = SHA-256(0x01 || left || right), and a tree
 * whose size is not a power of two splits at the largest power of two below its size.
 *
 * Every range the proofs need is either a perfect subtree (a power-of-two run of leaves starting
 * at a multiple of its size: the sequencer stores those, as (level, index)) or a right edge made
 * of a few of them. So a proof reads O(log n) stored hashes at any size.
 */

export type Hash = Buffer;

/** Reads the stored root of the perfect subtree of 2^level leaves starting at leaf index * 2^level. */
export type NodeReader = (level: number, index: number) => Hash;

export function leafHash(canonical: string | Buffer): Hash {
  return createHash('sha256')
    .update(Buffer.from([0]))
    .update(canonical)
    .digest();
}

export function nodeHash(left: Hash, right: Hash): Hash {
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(left)
    .update(right)
    .digest();
}

/** The largest power of two strictly below n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}

/** MTH(D[start:end]): a stored node when the range is a perfect subtree, else built from its halves. */
export function rangeHash(read: NodeReader, start: number, end: number): Hash {
  const size = end - start;
  if (size < 1) throw new RangeError('empty range');
  if (isPowerOfTwo(size) && start % size === 0) return read(Math.log2(size), start / size);
  const k = split(size);
  return nodeHash(rangeHash(read, start, start + k), rangeHash(read, start + k, end));
}

export function rootHash(read: NodeReader, size: number): Hash {
  return rangeHash(read, 0, size);
}

/** RFC 9162 2.1.3.1: the audit path of leaf m in the tree of the first n leaves. */
export function inclusionProof(read: NodeReader, m: number, n: number): Hash[] {
  if (!(m >= 0 && m < n)) throw new RangeError('leaf outside the tree');
  const path = (index: number, start: number, end: number): Hash[] => {
    if (end - start === 1) return [];
    const k = split(end - start);
    return index < k
      ? [...path(index, start, start + k), rangeHash(read, start + k, end)]
      : [...path(index - k, start + k, end), rangeHash(read, start, start + k)];
  };
  return path(m, 0, n);
}

/** RFC 9162 2.1.4.1: the consistency proof from the tree of m leaves to the tree of n leaves. */
export function consistencyProof(read: NodeReader, m: number, n: number): Hash[] {
  if (!(m >= 1 && m <= n)) throw new RangeError('1 <= from <= to');
  if (m === n) return [];
  const subproof = (m1: number, start: number, end: number, whole: boolean): Hash[] => {
    const size = end - start;
    if (m1 === size) return whole ? [] : [rangeHash(read, start, end)];
    const k = split(size);
    return m1 <= k
      ? [...subproof(m1, start, start + k, whole), rangeHash(read, start + k, end)]
      : [...subproof(m1 - k, start + k, end, false), rangeHash(read, start, start + k)];
  };
  return subproof(m, 0, n, true);
}

/**
 * Runs `compute` twice: once to learn which stored nodes it reads, then with them loaded in one
 * go by `load` (a single database round trip for a whole proof).
 */
export async function withNodes<T>(
  compute: (read: NodeReader) => T,
  load: (keys: readonly { level: number; index: number }[]) => Promise<Map<string, Hash>>,
): Promise<T> {
  const wanted = new Map<string, { level: number; index: number }>();
  const dummy = Buffer.alloc(32);
  compute((level, index) => {
    wanted.set(`${level}:${index}`, { level, index });
    return dummy;
  });
  const nodes = await load([...wanted.values()]);
  return compute((level, index) => {
    const hash = nodes.get(`${level}:${index}`);
    if (!hash) throw new Error(`audit tree node ${level}:${index} is not stored`);
    return hash;
  });
}

/** RFC 9162 2.1.3.2: does `proof` show that the leaf hash at `index` is in the tree of `size` with `root`? */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: readonly Hash[], root: Hash): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 2.1.4.2: does `proof` show that the tree (size1, root1) is a prefix of (size2, root2)? */
export function verifyConsistency(size1: number, size2: number, proof: readonly Hash[], root1: Hash, root2: Hash): boolean {
  if (size1 < 1 || size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  let path = [...proof];
  if (isPowerOfTwo(size1)) path = [root1, ...path];
  if (path.length === 0) return false;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(root1) && sr.equals(root2) && sn === 0;
}

/**
 * The right edge of a tree being built leaf by leaf: the roots of its perfect subtrees, largest
 * first. Appending a leaf completes zero or more perfect subtrees, each reported to `onNode`.
 */
export class TreeFrontier {
  private readonly stack: { level: number; index: number; hash: Hash }[] = [];

  private constructor(public size: number) {}

  /** The frontier of a tree of `size` leaves, read from its stored perfect subtrees. */
  static of(size: number, read: NodeReader): TreeFrontier {
    const frontier = new TreeFrontier(size);
    let start = 0;
    for (let level = 52; level >= 0; level -= 1) {
      const width = 2 ** level;
      if (size - start >= width) {
        frontier.stack.push({ level, index: start / width, hash: read(level, start / width) });
        start += width;
      }
    }
    return frontier;
  }

  /** Which stored nodes `of(size)` reads. */
  static keys(size: number): { level: number; index: number }[] {
    const keys: { level: number; index: number }[] = [];
    TreeFrontier.of(size, (level, index) => {
      keys.push({ level, index });
      return Buffer.alloc(32);
    });
    return keys;
  }

  append(leaf: Hash, onNode: (level: number, index: number, hash: Hash) => void): void {
    let node = { level: 0, index: this.size, hash: leaf };
    onNode(0, node.index, leaf);
    this.size += 1;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top || top.level !== node.level) break;
      this.stack.pop();
      node = { level: node.level + 1, index: top.index / 2, hash: nodeHash(top.hash, node.hash) };
      onNode(node.level, node.index, node.hash);
    }
    this.stack.push(node);
  }

  root(): Hash {
    if (this.stack.length === 0) return createHash('sha256').digest();
    let hash = this.stack[this.stack.length - 1].hash;
    for (let i = this.stack.length - 2; i >= 0; i -= 1) hash = nodeHash(this.stack[i].hash, hash);
    return hash;
  }
}
