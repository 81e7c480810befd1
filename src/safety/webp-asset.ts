// A WebP file as a C2PA asset for @trustnxt/c2pa-ts, which reads and writes PNG and JPEG but not
// RIFF. C2PA stores the manifest store of a RIFF file (WebP is RIFF with form type WEBP) in a
// top-level chunk with FourCC `C2PA`; the data hash excludes that chunk. flowpaint appends the
// chunk after the image chunks (WebP readers skip chunks they do not know) and keeps the RIFF
// size field right, so the file stays a valid WebP.

interface RiffChunk {
  fourcc: string;
  /** Offset of the chunk header. */
  start: number;
  /** Payload length (without the pad byte). */
  size: number;
  /** Offset just past the chunk, pad byte included. */
  end: number;
}

const C2PA_FOURCC = 'C2PA';

export class WebP {
  readonly mimeType = 'image/webp';
  private data: Uint8Array;
  private chunks: RiffChunk[];

  constructor(data: Uint8Array) {
    this.data = data;
    this.chunks = WebP.parse(data);
  }

  static canRead(buf: Uint8Array): boolean {
    const b = Buffer.from(buf.buffer, buf.byteOffset, Math.min(buf.byteLength, 12));
    return b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP';
  }

  private static parse(data: Uint8Array): RiffChunk[] {
    if (!WebP.canRead(data)) throw new Error('not a WebP file');
    const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const riffEnd = Math.min(b.length, 8 + b.readUInt32LE(4));
    const chunks: RiffChunk[] = [];
    let off = 12;
    while (off + 8 <= riffEnd) {
      const size = b.readUInt32LE(off + 4);
      const end = off + 8 + size + (size & 1);
      if (off + 8 + size > riffEnd) throw new Error(`WebP chunk ${b.toString('latin1', off, off + 4)} runs past the end of the file`);
      chunks.push({ fourcc: b.toString('latin1', off, off + 4), start: off, size, end: Math.min(end, riffEnd) });
      off = end;
    }
    return chunks;
  }

  getDataLength(): number {
    return this.data.length;
  }

  async getDataRange(start = 0, length?: number): Promise<Uint8Array> {
    return this.data.subarray(start, length === undefined ? undefined : start + length);
  }

  dumpInfo(): string {
    return ['WebP file:', ...this.chunks.map((c) => `${c.fourcc} at ${c.start}, ${c.size} bytes`)].join('\n');
  }

  private manifestChunk(): RiffChunk | undefined {
    return this.chunks.find((c) => c.fourcc === C2PA_FOURCC);
  }

  getManifestJUMBF(): Uint8Array | undefined {
    const c = this.manifestChunk();
    return c ? this.data.subarray(c.start + 8, c.start + 8 + c.size) : undefined;
  }

  /** Makes (or resizes) the C2PA chunk to hold `length` bytes, at the end of the file. */
  async ensureManifestSpace(length: number): Promise<void> {
    const existing = this.manifestChunk();
    if (existing?.size === length) return;
    const kept = this.chunks.filter((c) => c.fourcc !== C2PA_FOURCC);
    const body = kept.map((c) => this.data.subarray(c.start, c.end));
    const header = Buffer.alloc(8);
    header.write(C2PA_FOURCC, 0, 'latin1');
    header.writeUInt32LE(length, 4);
    const payload = Buffer.alloc(length + (length & 1));
    const out = Buffer.concat([Buffer.from(this.data.subarray(0, 12)), ...body, header, payload]);
    out.writeUInt32LE(out.length - 8, 4);
    this.data = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    this.chunks = WebP.parse(this.data);
  }

  /** The whole C2PA chunk: header, payload and pad byte. */
  getHashExclusionRange(): { start: number; length: number } {
    const c = this.manifestChunk();
    if (!c) throw new Error('No manifest chunk in this WebP file');
    return { start: c.start, length: 8 + c.size };
  }

  async writeManifestJUMBF(jumbf: Uint8Array): Promise<void> {
    const c = this.manifestChunk();
    if (!c || c.size !== jumbf.length) throw new Error('Wrong amount of space for the manifest in the WebP file');
    this.data.set(jumbf, c.start + 8);
  }
}
