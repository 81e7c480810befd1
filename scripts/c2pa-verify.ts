// Validates the C2PA manifests of image files with the reference implementation (c2pa-rs, via
// @contentauth/c2pa-wasm, a devDependency; works offline).
//
//   npx tsx scripts/c2pa-verify.ts out.png edited.webp [--json]
//
// Prints c2pa-rs's verdict and its failure codes per file; exits 1 when a file has no manifest
// or any failure other than signingCredential.untrusted (a self-signed certificate).
import { readFileSync } from 'node:fs';
import { imageMediaType } from '../src/safety/c2pa.ts';
import { unexpectedFailures, validateWithReference } from '../src/safety/c2pa-reference.ts';

const args = process.argv.slice(2);
const json = args.includes('--json');
const files = args.filter((a) => a !== '--json');
if (files.length === 0) {
  process.stderr.write('usage: npx tsx scripts/c2pa-verify.ts FILE... [--json]\n');
  process.exit(2);
}
let bad = 0;
for (const file of files) {
  const bytes = readFileSync(file);
  const type = imageMediaType(bytes) ?? 'application/octet-stream';
  try {
    const r = await validateWithReference(bytes, type);
    const unexpected = unexpectedFailures(r);
    if (unexpected.length) bad++;
    if (json) process.stdout.write(`${JSON.stringify({ file, ...r })}\n`);
    else {
      const ingredients = (r.manifest?.ingredients ?? []).map((i) => `${i.relationship} "${i.title}"`).join(', ');
      process.stdout.write(`${file}: ${r.state}; failures: ${r.failures.map((f) => f.code).join(', ') || 'none'}${ingredients ? `; ingredients: ${ingredients}` : ''}\n`);
    }
  } catch (err) {
    bad++;
    process.stdout.write(`${file}: no readable C2PA manifest (${(err as Error).message ?? String(err)})\n`);
  }
}
process.exit(bad ? 1 : 0);
