// Machine-readable provenance for every output: the image says it was made by an AI model, and
// which model and version, in two places readers look: PNG text chunks (tEXt/iTXt) and an XMP
// packet with the IPTC digital source type "trainedAlgorithmicMedia" (the IPTC/C2PA term for
// generative-AI output). encodePng writes the XMP packet where libvips does; the text chunks are
// inserted here.
import type { RgbImage } from '../image/index.ts';
import { encodePng, insertAfterIhdr, pngChunk, pngChunks } from '../image/png.ts';
import { loadSharp } from '../image/sharp.ts';
import { sha256 } from './audit.ts';

export const DIGITAL_SOURCE_TYPE = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
export const GENERATOR = 'flowpaint';

export interface ProvenanceInput {
  model: string;
  version: string;
  /** flowpaint's own version. */
  software?: string;
  /** Included only as a SHA-256 unless `includePrompt` is set (prompts can be private). */
  prompt?: string;
  includePrompt?: boolean;
  seed?: number;
  /** 'generate', 'edit' or 'inpaint'. */
  operation?: string;
  created?: Date;
  /**
   * Edits: the input file as received, named in the C2PA manifest as the parentOf ingredient
   * (its SHA-256 also goes into the `flowpaint:provenance` record).
   */
  parent?: { bytes: Uint8Array; title?: string };
}

export interface ProvenanceMetadata {
  /** PNG text chunks, keyword -> text (written as tEXt when Latin-1, else iTXt). */
  text: Record<string, string>;
  /** A complete XMP packet. */
  xmp: string;
  /** The same facts as one JSON object (also stored in the `flowpaint:provenance` text chunk). */
  record: Record<string, unknown>;
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function provenanceMetadata(input: ProvenanceInput): ProvenanceMetadata {
  const created = (input.created ?? new Date()).toISOString();
  const software = `${GENERATOR} ${input.software ?? '0.1.0'}`;
  const record: Record<string, unknown> = {
    ai_generated: true,
    digital_source_type: DIGITAL_SOURCE_TYPE,
    generator: software,
    model: input.model,
    model_version: input.version,
    operation: input.operation ?? 'generate',
    created,
  };
  if (input.seed !== undefined) record.seed = input.seed;
  if (input.parent) record.parent_sha256 = sha256(input.parent.bytes);
  if (input.prompt !== undefined) {
    if (input.includePrompt) record.prompt = input.prompt;
    else record.prompt_sha256 = sha256(input.prompt);
  }
  const text: Record<string, string> = {
    Software: software,
    Source: `${input.model} ${input.version}`,
    Comment: `AI-generated image (IPTC digital source type: trainedAlgorithmicMedia) made by ${input.model} ${input.version} with ${software}`,
    'Creation Time': created,
    'flowpaint:provenance': JSON.stringify(record),
  };
  if (input.includePrompt && input.prompt !== undefined) text.Description = input.prompt;
  const xmp = [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    '  <rdf:Description rdf:about=""',
    '    xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"',
    '    xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
    '    xmlns:dc="http://purl.org/dc/elements/1.1/"',
    '    xmlns:flowpaint="https://flowpaint.dev/ns/provenance/1.0/"',
    `    Iptc4xmpExt:DigitalSourceType="${DIGITAL_SOURCE_TYPE}"`,
    `    xmp:CreatorTool="${xmlEscape(software)}"`,
    `    xmp:CreateDate="${created}"`,
    `    flowpaint:AIGenerated="True"`,
    `    flowpaint:Model="${xmlEscape(input.model)}"`,
    `    flowpaint:ModelVersion="${xmlEscape(input.version)}"`,
    `    flowpaint:Operation="${xmlEscape(String(record.operation))}">`,
    '   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">' + xmlEscape(`AI-generated image made by ${input.model} ${input.version}`) + '</rdf:li></rdf:Alt></dc:description>',
    '  </rdf:Description>',
    ' </rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
  return { text, xmp, record };
}

// ---------------------------------------------------------------- PNG text chunks

function isLatin1(s: string): boolean {
  return /^[\x20-\x7e\xa0-\xff\n]*$/.test(s);
}

function textChunk(keyword: string, text: string): Buffer {
  if (!/^[\x20-\x7e]{1,79}$/.test(keyword)) throw new Error(`PNG text keyword '${keyword}' must be 1-79 printable Latin-1 characters`);
  if (isLatin1(text)) return pngChunk('tEXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]));
  // iTXt: keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL, UTF-8 text.
  return pngChunk('iTXt', Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), Buffer.from(text, 'utf8')]));
}

/** Inserts text chunks right after IHDR, where readers find them without scanning the pixels. */
export function insertPngText(png: Buffer, text: Record<string, string>): Buffer {
  return insertAfterIhdr(png, Object.entries(text).map(([k, v]) => textChunk(k, v)));
}

/** All tEXt and iTXt entries of a PNG (keyword -> text). */
export function readPngText(png: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of pngChunks(png)) {
    if (c.type === 'tEXt') {
      const nul = c.data.indexOf(0);
      out[c.data.toString('latin1', 0, nul)] = c.data.toString('latin1', nul + 1);
    } else if (c.type === 'iTXt') {
      const nul = c.data.indexOf(0);
      const key = c.data.toString('latin1', 0, nul);
      if (c.data[nul + 1] !== 0) continue; // compressed iTXt: not written by flowpaint
      let p = nul + 3;
      p = c.data.indexOf(0, p) + 1; // language tag
      p = c.data.indexOf(0, p) + 1; // translated keyword
      out[key] = c.data.toString('utf8', p);
    }
  }
  return out;
}

/** Encodes an RGB image as PNG carrying the provenance (the XMP packet and the text chunks). */
export function encodePngWithProvenance(image: RgbImage, meta: ProvenanceMetadata): Buffer {
  return insertPngText(encodePng(image, meta.xmp), meta.text);
}

/** Reads provenance back from a PNG: the flowpaint record, the text chunks and the XMP packet. */
export async function readProvenance(png: Buffer): Promise<{ record: Record<string, unknown> | null; text: Record<string, string>; xmp: string | null }> {
  const text = readPngText(png);
  const md = await (await loadSharp())(png).metadata();
  const raw = text['flowpaint:provenance'];
  return { record: raw ? (JSON.parse(raw) as Record<string, unknown>) : null, text, xmp: md.xmp ? md.xmp.toString('utf8') : null };
}
