#!/usr/bin/env node
// Checks audit log proofs offline with nothing but the public keys (GET /.well-known/audit-key.json).
//   verify-audit-proof.js receipt     keys.json receipt.json            ({ receipt } from /api/v1/appeals/:reference/receipt)
//   verify-audit-proof.js inclusion   keys.json event.json checkpoint.json  (/api/admin/audit/events/:seq and /checkpoint)
//   verify-audit-proof.js consistency keys.json proof.json old.json new.json (/api/admin/audit/consistency and two checkpoints)
// Prints "ok" and exits 0, or prints what failed and exits 1. Node 20, no dependencies.
'use strict';
const { createHash, createPublicKey, verify } = require('node:crypto');
const sha = (...parts) => createHash('sha256').update(Buffer.concat(parts)).digest();
const node = (l, r) => sha(Buffer.from([1]), l, r);
const hex = (list) => list.map((h) => Buffer.from(h, 'hex'));
// RFC 8785 canonical JSON, enough for audit events (strings, finite numbers, booleans, null, arrays, objects).
const canon = (v) =>
  Array.isArray(v)
    ? `[${v.map(canon).join(',')}]`
    : v && typeof v === 'object'
      ? `{${Object.keys(v)
          .sort()
          .map((k) => `${JSON.stringify(k)}:${canon(v[k])}`)
          .join(',')}}`
      : JSON.stringify(v);
const keyOf = (keys, kid) => {
  const jwk = keys.keys.find((k) => k.kid === kid);
  if (!jwk) fail(`unknown key ${kid}`);
  return createPublicKey({ key: jwk, format: 'jwk' });
};
const signed = (keys, kid, message, signature) => verify(null, Buffer.from(message), keyOf(keys, kid), Buffer.from(signature, 'base64url'));
const checkpoint = (keys, c) =>
  signed(keys, c.kid, `${c.size}\n${c.rootHash}\n${c.timestamp}`, c.signature) || fail(`checkpoint ${c.size}: bad signature`);
function fail(reason) {
  process.stdout.write(`FAILED: ${reason}\n`);
  process.exit(1);
}
function inclusion(event, seq, size, path, root) {
  // RFC 9162 2.1.3.2
  const leaf = sha(Buffer.from([0]), Buffer.from(canon(event), 'utf8'));
  let [fn, sn, r] = [seq, size - 1, leaf];
  for (const p of hex(path)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else r = node(r, p);
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && r.toString('hex') === root;
}
function consistency(m, n, proof, root1, root2) {
  // RFC 9162 2.1.4.2
  if (m === n) return proof.length === 0 && root1 === root2;
  const path = (m & (m - 1)) === 0 ? [Buffer.from(root1, 'hex'), ...hex(proof)] : hex(proof);
  let [fn, sn] = [m - 1, n - 1];
  while (fn % 2 === 1) {
    fn >>= 1;
    sn >>= 1;
  }
  let [fr, sr] = [path[0], path[0]];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else sr = node(sr, c);
    fn >>= 1;
    sn >>= 1;
  }
  return sn === 0 && fr.toString('hex') === root1 && sr.toString('hex') === root2;
}
const [mode, ...files] = process.argv.slice(2);
const [keys, a, b, c] = files.map((file) => JSON.parse(require('node:fs').readFileSync(file, 'utf8')));
if (mode === 'receipt') {
  const [header, payload, signature] = a.receipt.split('.');
  const { kid } = JSON.parse(Buffer.from(header, 'base64url'));
  if (!signed(keys, kid, `${header}.${payload}`, signature)) fail('receipt: bad signature');
  const { audit } = JSON.parse(Buffer.from(payload, 'base64url'));
  checkpoint(keys, audit.checkpoint);
  if (!inclusion(audit.event, audit.seq, audit.checkpoint.size, audit.inclusionProof, audit.checkpoint.rootHash))
    fail('receipt: its event is not in the checkpoint');
} else if (mode === 'inclusion') {
  checkpoint(keys, b);
  if (a.size !== b.size || a.rootHash !== b.rootHash || !inclusion(a.event, a.seq, a.size, a.inclusionProof, a.rootHash))
    fail(`event ${a.seq} is not in checkpoint ${b.size}`);
} else if (mode === 'consistency') {
  checkpoint(keys, b);
  checkpoint(keys, c);
  if (a.from !== b.size || a.to !== c.size || !consistency(a.from, a.to, a.proof, b.rootHash, c.rootHash))
    fail(`checkpoint ${c.size} does not extend checkpoint ${b.size}`);
} else fail('usage: verify-audit-proof.js receipt|inclusion|consistency keys.json file...');
process.stdout.write('ok\n');
