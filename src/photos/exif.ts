// The few EXIF facts a photo library needs, read and rewritten in the TIFF structure itself:
// whether a photo carries a location (the GPS IFD), and a copy of its EXIF for an edited version
// with the orientation reset to 1 (versions are stored upright) and the location removed — the
// GPS pointer dropped from IFD0 and every byte of the GPS IFD and its values zeroed, so the
// coordinates are gone, not just unreferenced.

const TAG_ORIENTATION = 0x0112;
const TAG_GPS_IFD = 0x8825;
const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };
const EXIF_HEADER = Buffer.from('Exif\0\0', 'latin1');

/** The TIFF part of an EXIF blob (sharp's `metadata().exif` starts with "Exif\0\0"). */
export function exifTiff(exif: Uint8Array): Buffer {
  const b = Buffer.from(exif);
  return b.subarray(0, 6).equals(EXIF_HEADER) ? b.subarray(6) : b;
}

class Tiff {
  readonly le: boolean;
  constructor(readonly b: Buffer) {
    const order = b.toString('latin1', 0, 2);
    if (order !== 'II' && order !== 'MM') throw new Error('not a TIFF/EXIF structure');
    this.le = order === 'II';
  }
  u16(at: number): number {
    return this.le ? this.b.readUInt16LE(at) : this.b.readUInt16BE(at);
  }
  u32(at: number): number {
    return this.le ? this.b.readUInt32LE(at) : this.b.readUInt32BE(at);
  }
  w16(at: number, v: number): void {
    if (this.le) this.b.writeUInt16LE(v, at);
    else this.b.writeUInt16BE(v, at);
  }
  get ifd0(): number {
    return this.u32(4);
  }
  /** Entries of the IFD at `at`: tag, type, count and where the entry starts. */
  entries(at: number): { tag: number; type: number; count: number; entry: number }[] {
    if (at + 2 > this.b.length) return [];
    const n = this.u16(at);
    const out = [];
    for (let i = 0; i < n && at + 2 + 12 * (i + 1) <= this.b.length; i++) {
      const e = at + 2 + 12 * i;
      out.push({ tag: this.u16(e), type: this.u16(e + 2), count: this.u32(e + 4), entry: e });
    }
    return out;
  }
}

/** True when the EXIF has a GPS IFD with at least one entry. */
export function hasLocation(exif: Uint8Array | undefined): boolean {
  if (!exif) return false;
  try {
    const t = new Tiff(exifTiff(exif));
    const gps = t.entries(t.ifd0).find((e) => e.tag === TAG_GPS_IFD);
    return gps !== undefined && t.entries(t.u32(gps.entry + 8)).length > 0;
  } catch {
    return false;
  }
}

/**
 * A copy of the EXIF (TIFF bytes, no "Exif" header) for an upright edited version: orientation 1,
 * and unless `keepLocation`, without the GPS IFD. Undefined when the EXIF cannot be parsed.
 */
export function exifForVersion(exif: Uint8Array, opts: { keepLocation: boolean }): Buffer | undefined {
  let t: Tiff;
  try {
    t = new Tiff(Buffer.from(exifTiff(exif)));
  } catch {
    return undefined;
  }
  const ifd0 = t.ifd0;
  const entries = t.entries(ifd0);
  const orientation = entries.find((e) => e.tag === TAG_ORIENTATION && e.type === 3);
  if (orientation) t.w16(orientation.entry + 8, 1);
  const gps = entries.find((e) => e.tag === TAG_GPS_IFD);
  if (gps && !opts.keepLocation) {
    const gpsAt = t.u32(gps.entry + 8);
    for (const e of t.entries(gpsAt)) {
      const size = (TYPE_SIZES[e.type] ?? 1) * e.count;
      if (size > 4) {
        const at = t.u32(e.entry + 8);
        t.b.fill(0, at, Math.min(t.b.length, at + size));
      }
    }
    const n = t.u16(gpsAt);
    t.b.fill(0, gpsAt, Math.min(t.b.length, gpsAt + 2 + 12 * n + 4));
    // Drop the pointer from IFD0: the entries after it move up one slot, then the next-IFD offset.
    const last = ifd0 + 2 + 12 * entries.length;
    t.b.copy(t.b, gps.entry, gps.entry + 12, last + 4);
    t.b.fill(0, last - 12 + 4, last + 4);
    t.w16(ifd0, entries.length - 1);
  }
  return t.b;
}
