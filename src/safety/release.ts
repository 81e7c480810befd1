// The only way an image should leave a pipeline: screen it, then encode it with provenance.
// Screening comes first and throws on refusal, so a refused image is never encoded, written,
// stored or streamed; callers write or send only the bytes this returns.
import { writeFileAtomic } from '../engine/index.ts';
import { type C2paSigner, addC2paManifest } from './c2pa.ts';
import type { RgbImage } from '../image/index.ts';
import { type AssertImageOptions, assertImageAllowed } from './image-filter.ts';
import type { SafetyPolicy } from './policy.ts';
import { type ProvenanceInput, encodePngWithProvenance, provenanceMetadata } from './provenance.ts';
import type { SafetyDecision } from './refusal.ts';

export interface ReleaseOptions extends Omit<AssertImageOptions, 'stage'> {
  provenance: ProvenanceInput;
  /** Embed a signed C2PA manifest (default: yes, with a self-signed certificate unless a signer is given). */
  c2pa?: boolean | C2paSigner;
}

export interface ReleasedImage {
  png: Buffer;
  decision: SafetyDecision;
}

/** Screens an output image and returns it as a PNG with provenance; throws SafetyRefusal. */
export async function releaseImage(image: RgbImage, policy: SafetyPolicy, opts: ReleaseOptions): Promise<ReleasedImage> {
  const decision = await assertImageAllowed(image, policy, { ...opts, stage: 'output-image' });
  let png = encodePngWithProvenance(image, provenanceMetadata(opts.provenance));
  if (opts.c2pa !== false) png = await addC2paManifest(png, opts.provenance, typeof opts.c2pa === 'object' ? opts.c2pa : undefined);
  return { png, decision };
}

/** releaseImage, then an atomic write: the file appears whole, and only for an allowed image. */
export async function saveReleasedImage(path: string, image: RgbImage, policy: SafetyPolicy, opts: ReleaseOptions): Promise<ReleasedImage> {
  const released = await releaseImage(image, policy, opts);
  writeFileAtomic(path, released.png);
  return released;
}
