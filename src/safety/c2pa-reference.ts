// Validation by the C2PA reference implementation, c2pa-rs, compiled to WebAssembly in
// @contentauth/c2pa-wasm (a devDependency: the .wasm ships inside the npm package, nothing is
// downloaded at install or run time). Used by the tests and by `scripts/c2pa-verify.ts`; the
// product writes manifests with c2pa-ts (c2pa.ts) and never loads this module.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { WasmReader, initSync } from '@contentauth/c2pa-wasm';

let ready = false;

function init(): void {
  if (ready) return;
  const wasm = createRequire(import.meta.url).resolve('@contentauth/c2pa-wasm/c2pa.wasm');
  initSync({ module: readFileSync(wasm) });
  ready = true;
}

export interface ReferenceStatus {
  code: string;
  explanation?: string;
  url?: string;
}

export interface ReferenceReport {
  /** c2pa-rs's overall verdict: `Invalid`, `Valid` (signature and hashes good, signer not on a trust list) or `Trusted`. */
  state: string;
  /** Failure codes of the active manifest and of every ingredient. */
  failures: ReferenceStatus[];
  /** Success codes of the active manifest. */
  successes: string[];
  /** Informational codes of the active manifest and of every ingredient. */
  informational: string[];
  /** The active manifest as c2pa-rs reports it (assertions, ingredients, signature_info, …). */
  manifest: {
    assertions?: Array<{ label: string; data: Record<string, unknown> }>;
    ingredients?: Array<Record<string, unknown>>;
    signature_info?: Record<string, unknown>;
    [key: string]: unknown;
  } | null;
}

interface StatusMap {
  success?: ReferenceStatus[];
  informational?: ReferenceStatus[];
  failure?: ReferenceStatus[];
}

/** Reads and validates a file's C2PA manifest store with c2pa-rs; throws when there is none. */
export async function validateWithReference(bytes: Uint8Array, mediaType: string): Promise<ReferenceReport> {
  init();
  const reader = await WasmReader.fromBytes(mediaType, new Uint8Array(bytes));
  try {
    const store = JSON.parse(reader.json()) as {
      active_manifest?: string;
      manifests?: Record<string, ReferenceReport['manifest']>;
      validation_state?: string;
      validation_results?: { activeManifest?: StatusMap; ingredientDeltas?: Array<{ validationDeltas?: StatusMap }> };
    };
    const active = store.validation_results?.activeManifest ?? {};
    const deltas = (store.validation_results?.ingredientDeltas ?? []).map((d) => d.validationDeltas ?? {});
    return {
      state: store.validation_state ?? 'Unknown',
      failures: [...(active.failure ?? []), ...deltas.flatMap((d) => d.failure ?? [])],
      successes: (active.success ?? []).map((s) => s.code),
      informational: [...(active.informational ?? []), ...deltas.flatMap((d) => d.informational ?? [])].map((s) => s.code),
      manifest: (store.active_manifest && store.manifests?.[store.active_manifest]) || null,
    };
  } finally {
    reader.free();
  }
}

/** The failure codes other than the one a self-signed certificate always gets (`signingCredential.untrusted`). */
export function unexpectedFailures(report: ReferenceReport): string[] {
  return report.failures.map((f) => f.code).filter((c) => c !== 'signingCredential.untrusted');
}
