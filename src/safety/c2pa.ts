// C2PA manifests for outputs (PNG, JPEG and WebP), written with @trustnxt/c2pa-ts: a
// pure-TypeScript C2PA library from the npm registry that needs no native binaries and no
// network. (The Content Authenticity Initiative's own Node binding, @contentauth/c2pa-node,
// downloads a prebuilt Rust library from outside the registry at install time.) The tests hold
// every manifest to the reference implementation, c2pa-rs, through @contentauth/c2pa-wasm
// (`c2pa-reference.ts`).
//
// A manifest (claim v2) holds:
// - `c2pa.hash.data`: the hard binding, a SHA-256 over every byte of the file except the
//   manifest's own container (the PNG caBX chunk, the JPEG APP11 segments, the WebP C2PA chunk);
//   changing any pixel, or any other byte, makes the hash mismatch;
// - `c2pa.actions.v2`: generate → `c2pa.created`; edit or inpaint → `c2pa.opened` of the parent
//   followed by `c2pa.edited`; each with digitalSourceType trainedAlgorithmicMedia and software
//   agent flowpaint;
// - edits: a `c2pa.ingredient.v3` with relationship `parentOf` that names the input image
//   (title, format, instance ID), which the `c2pa.opened` action references.
//
// Signatures are COSE_Sign1 with ES256 (or ES384 for a P-384 deployment key). COSE wants an
// ECDSA signature as the raw r|s pair (IEEE P1363), which is what WebCrypto produces;
// c2pa-ts's LocalSigner re-encodes it as ASN.1 DER, which c2pa-rs rejects
// (`signingCredential.invalid`, then `claimSignature.mismatch`), so EcdsaSigner below signs.
//
// Trust: a C2PA validator trusts a signature only when its certificate chains to a trust list.
// A deployment that has such a certificate passes it in (PEM certificate + PKCS#8 key). Without
// one, flowpaint signs with a certificate it makes at start-up, which c2pa-rs reports as
// `signingCredential.untrusted` and nothing else: the claim signature, the certificate profile
// and the hashes validate.
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { JPEG, PNG } from '@trustnxt/c2pa-ts/asset';
import { CoseAlgorithmIdentifier, LocalSigner } from '@trustnxt/c2pa-ts/cose';
import { SuperBox } from '@trustnxt/c2pa-ts/jumbf';
import {
  ActionAssertion,
  ActionType,
  ClaimVersion,
  DataHashAssertion,
  DigitalSourceType,
  IngredientAssertion,
  ManifestStore,
  RelationshipType,
} from '@trustnxt/c2pa-ts/manifest';
import { GENERATOR } from './provenance.ts';
import { WebP } from './webp-asset.ts';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A certificate's public-key algorithm as WebCrypto names it. */
interface KeyAlgorithmInfo {
  name: string;
  namedCurve?: string;
}

/** What c2pa-ts calls to sign a claim (its `Signer` interface). */
type ClaimSigner = LocalSigner | EcdsaSigner;

export interface C2paSigner {
  signer: ClaimSigner;
  /** True when the certificate was generated here (not on any trust list). */
  selfSigned: boolean;
}

/** ECDSA claim signer whose signatures are raw r|s (IEEE P1363), as COSE requires. */
export class EcdsaSigner {
  private key: Promise<webcrypto.CryptoKey>;
  private readonly params: { name: 'ECDSA'; hash: string };

  constructor(
    pkcs8: Uint8Array,
    readonly algorithm: CoseAlgorithmIdentifier,
    readonly certificate: x509.X509Certificate,
    readonly chainCertificates: x509.X509Certificate[] = [],
  ) {
    const namedCurve = (certificate.publicKey.algorithm as KeyAlgorithmInfo).namedCurve ?? 'P-256';
    const hash = algorithm === CoseAlgorithmIdentifier.ES256 ? 'SHA-256' : algorithm === CoseAlgorithmIdentifier.ES384 ? 'SHA-384' : undefined;
    if (!hash) throw new Error('EcdsaSigner signs ES256 or ES384');
    this.params = { name: 'ECDSA', hash };
    this.key = webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve }, false, ['sign']);
  }

  async sign(payload: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(await webcrypto.subtle.sign(this.params, await this.key, payload));
  }
}

function pemBody(pem: string): Uint8Array {
  return Uint8Array.from(Buffer.from(pem.replace(/-{5}(BEGIN|END) [^-]+-{5}/g, '').replace(/\s+/g, ''), 'base64'));
}

/**
 * A signer from a deployment's certificate (PEM) and private key (PKCS#8 PEM): ECDSA P-256
 * (ES256), P-384 (ES384) or Ed25519. `chainPem`: the intermediate certificates, leaf first.
 */
export function c2paSignerFromPem(certificatePem: string, privateKeyPem: string, chainPem: string[] = []): C2paSigner {
  const cert = new x509.X509Certificate(certificatePem);
  const chain = chainPem.map((p) => new x509.X509Certificate(p));
  const alg = cert.publicKey.algorithm as KeyAlgorithmInfo;
  const key = pemBody(privateKeyPem);
  if (alg.name === 'ECDSA' && alg.namedCurve === 'P-256') return { signer: new EcdsaSigner(key, CoseAlgorithmIdentifier.ES256, cert, chain), selfSigned: false };
  if (alg.name === 'ECDSA' && alg.namedCurve === 'P-384') return { signer: new EcdsaSigner(key, CoseAlgorithmIdentifier.ES384, cert, chain), selfSigned: false };
  if (alg.name === 'Ed25519') return { signer: new LocalSigner(key, CoseAlgorithmIdentifier.Ed25519, cert, chain), selfSigned: false };
  throw new Error(`C2PA signing certificate: unsupported key ${alg.name}${alg.namedCurve ? ` ${alg.namedCurve}` : ''} (use ECDSA P-256, P-384 or Ed25519)`);
}

let ephemeral: Promise<C2paSigner> | undefined;

/**
 * A self-signed ES256 signer, made once per process. The certificate follows the C2PA
 * certificate profile for claim signers (X.509 v3, not a CA, critical key usage
 * digitalSignature, an allowed extended key usage, authority and subject key identifiers).
 */
export function selfSignedC2paSigner(): Promise<C2paSigner> {
  ephemeral ??= (async () => {
    const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: now.toString(16),
      name: 'CN=flowpaint self-signed provenance signer, O=flowpaint',
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 365 * 86_400_000),
      signingAlgorithm: EC_P256,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        // id-kp-emailProtection: one of the extended key usages C2PA accepts for claim signers.
        new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.4'], false),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        await x509.AuthorityKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const pkcs8 = new Uint8Array(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
    return { signer: new EcdsaSigner(pkcs8, CoseAlgorithmIdentifier.ES256, cert), selfSigned: true };
  })();
  return ephemeral;
}

/** COSE padding reserved before signing: enough for any ES256/ES384/Ed25519 signature. */
const SIGNATURE_PADDING = 512;

export type C2paFormat = 'image/png' | 'image/jpeg' | 'image/webp';

/** The media type of an image from its first bytes (undefined for formats flowpaint does not sign). */
export function imageMediaType(bytes: Uint8Array): string | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 16));
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47 && b.readUInt32BE(4) === 0x0d0a1a0a) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'image/webp';
  if (b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6))) return 'image/gif';
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp' && /^avi[fs]$/.test(b.toString('latin1', 8, 12))) return 'image/avif';
  if (b.length >= 4 && (b.toString('latin1', 0, 4) === 'II*\0' || b.toString('latin1', 0, 4) === 'MM\0*')) return 'image/tiff';
  return undefined;
}

function openAsset(bytes: Uint8Array): PNG | JPEG | WebP {
  const data = new Uint8Array(bytes);
  switch (imageMediaType(bytes)) {
    case 'image/png':
      return new PNG(data);
    case 'image/jpeg':
      return new JPEG(data);
    case 'image/webp':
      return new WebP(data);
    default:
      throw new Error('C2PA: only PNG, JPEG and WebP files are supported');
  }
}

/** The image an edit started from. */
export interface C2paParent {
  /** The input file's bytes, as received. */
  bytes: Uint8Array;
  /** A name for it (the file name; `image` for uploads). */
  title?: string;
}

export interface C2paInput {
  model: string;
  version: string;
  software?: string;
  operation?: string;
  /** For edits: the input image, recorded as the manifest's parentOf ingredient. */
  parent?: C2paParent;
}

function isEdit(operation: string | undefined): boolean {
  return operation === 'edit' || operation === 'inpaint';
}

/** What the manifest says about a parent: its format, and an instance ID (the parent's own C2PA one when it has a manifest). */
async function describeParent(parent: C2paParent): Promise<{ format: string; instanceID: string; sha256: string; manifest?: string }> {
  const sha256 = createHash('sha256').update(parent.bytes).digest('hex');
  const format = imageMediaType(parent.bytes) ?? 'application/octet-stream';
  let instanceID = `xmp:iid:sha256:${sha256}`;
  let manifest: string | undefined;
  try {
    const asset = openAsset(parent.bytes);
    const jumbf = asset.getManifestJUMBF();
    if (jumbf) {
      const active = ManifestStore.read(SuperBox.fromBuffer(new Uint8Array(jumbf))).getActiveManifest();
      if (active?.claim?.instanceID) instanceID = active.claim.instanceID;
      manifest = active?.label;
    }
  } catch {
    // Not a format we read, or no readable manifest: the hash-based ID stands.
  }
  return { format, instanceID, sha256, manifest };
}

/**
 * Returns the file (PNG, JPEG or WebP) with a signed C2PA manifest store embedded: a caBX chunk
 * in PNG, APP11 segments in JPEG, a C2PA chunk in WebP.
 */
export async function addC2paManifest(image: Uint8Array, input: C2paInput, signer?: C2paSigner): Promise<Buffer> {
  const s = signer ?? (await selfSignedC2paSigner());
  const asset = openAsset(image);
  const store = new ManifestStore();
  const manifest = store.createManifest({
    claimVersion: ClaimVersion.V2,
    assetFormat: asset.mimeType,
    instanceID: `xmp:iid:${webcrypto.randomUUID()}`,
    defaultHashAlgorithm: 'SHA-256',
    signer: s.signer,
  });
  // c2pa-ts reserves 25,000 bytes of COSE padding by default, room for a time-stamp token that
  // flowpaint does not request; a signature without one grows by the r|s bytes only.
  if (manifest.signature) manifest.signature.signatureData.paddingLength = SIGNATURE_PADDING;
  const hash = DataHashAssertion.create('SHA-256');
  manifest.addAssertion(hash);
  const agent = { name: GENERATOR, version: input.software ?? '0.1.0' };
  const actions = new ActionAssertion();
  if (isEdit(input.operation) && input.parent) {
    const p = await describeParent(input.parent);
    const ingredient = IngredientAssertion.createV3(RelationshipType.ParentOf);
    ingredient.title = input.parent.title ?? 'image';
    ingredient.format = p.format;
    ingredient.instanceID = p.instanceID;
    ingredient.description = `The image this edit started from (SHA-256 ${p.sha256}${p.manifest ? `; its C2PA manifest ${p.manifest}` : ''}).`;
    manifest.addAssertion(ingredient);
    // Created after the ingredient's own reference, so its hash is filled in first at signing.
    const ref = manifest.createAssertionReference(ingredient);
    actions.actions = [
      { action: ActionType.C2paOpened, softwareAgent: agent, parameters: { ingredients: [ref] } },
      {
        action: ActionType.C2paEdited,
        digitalSourceType: DigitalSourceType.TrainedAlgorithmicMedia,
        softwareAgent: agent,
        parameters: { description: `${input.operation === 'inpaint' ? 'Masked region repainted' : 'Edited by instruction'} by ${input.model} ${input.version}` },
      },
    ];
  } else {
    actions.actions = [
      {
        action: ActionType.C2paCreated,
        digitalSourceType: DigitalSourceType.TrainedAlgorithmicMedia,
        softwareAgent: agent,
        parameters: { description: `AI-generated by ${input.model} ${input.version}${isEdit(input.operation) ? ' (an edit; its input image was not given)' : ''}` },
      },
    ];
  }
  manifest.addAssertion(actions);
  await asset.ensureManifestSpace(store.measureSize());
  await hash.updateWithAsset(asset);
  await manifest.sign(s.signer);
  await asset.writeManifestJUMBF(store.getBytes());
  return Buffer.from(await asset.getDataRange());
}

export interface C2paReport {
  present: boolean;
  /** Validation status codes as a C2PA validator reports them. */
  codes: string[];
  actions: Array<{ action: string; digitalSourceType?: string; softwareAgent?: unknown; description?: string }>;
  ingredients: Array<{ title?: string; format?: string; relationship?: string; instanceID?: string }>;
}

/** Reads and checks the C2PA manifest of a PNG, JPEG or WebP with c2pa-ts (the tests also validate with c2pa-rs). */
export async function readC2paManifest(image: Uint8Array): Promise<C2paReport> {
  const asset = openAsset(image);
  const jumbf = asset.getManifestJUMBF();
  if (!jumbf) return { present: false, codes: [], actions: [], ingredients: [] };
  const store = ManifestStore.read(SuperBox.fromBuffer(new Uint8Array(jumbf)));
  const result = await store.validate(asset);
  const active = store.getActiveManifest();
  // c2pa-ts 0.9.4's store validation does not report on the hard binding, so check it here:
  // a changed pixel or chunk outside the manifest makes the data hash mismatch.
  const codes = result.statusEntries.map((e) => String(e.code));
  const assertions = active?.assertions?.assertions ?? [];
  for (const a of assertions) {
    if (a instanceof DataHashAssertion) codes.push(...(await a.validateAgainstAsset(asset)).statusEntries.map((e) => String(e.code)));
  }
  const actions = assertions.flatMap((a) => (a instanceof ActionAssertion ? a.actions : []));
  const ingredients = assertions.flatMap((a) => (a instanceof IngredientAssertion ? [{ title: a.title, format: a.format, relationship: a.relationship, instanceID: a.instanceID }] : []));
  return {
    present: true,
    codes,
    actions: actions.map((a) => ({ action: String(a.action), digitalSourceType: a.digitalSourceType, softwareAgent: a.softwareAgent, description: a.description ?? a.parameters?.description })),
    ingredients,
  };
}
