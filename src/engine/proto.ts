// A minimal protocol-buffers wire-format writer: just what the ONNX writer needs
// (varints, length-delimited fields, packed repeated scalars). Messages are built bottom-up:
// a nested message is written to its own ProtoWriter and embedded as bytes.
const textEncoder = new TextEncoder();

export class ProtoWriter {
  private chunks: Uint8Array[] = [];
  private buf = new Uint8Array(256);
  private pos = 0;
  private total = 0;

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = new Uint8Array(Math.max(n, this.buf.length * 2));
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(this.buf.slice(0, this.pos));
    this.pos = 0;
  }

  private varint(v: number | bigint): void {
    let x = BigInt.asUintN(64, BigInt(v));
    this.reserve(10);
    if (x < 0x80n) {
      this.buf[this.pos++] = Number(x);
      this.total++;
      return;
    }
    while (x >= 0x80n) {
      this.buf[this.pos++] = Number(x & 0x7fn) | 0x80;
      x >>= 7n;
      this.total++;
    }
    this.buf[this.pos++] = Number(x);
    this.total++;
  }

  private tag(field: number, wire: number): void {
    this.varint((field << 3) | wire);
  }

  private raw(bytes: Uint8Array): void {
    if (bytes.length > 4096) {
      this.flush();
      this.chunks.push(bytes);
    } else {
      this.reserve(bytes.length);
      this.buf.set(bytes, this.pos);
      this.pos += bytes.length;
    }
    this.total += bytes.length;
  }

  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.raw(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.raw(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, textEncoder.encode(s));
  }

  message(field: number, m: ProtoWriter): this {
    return this.bytes(field, m.finish());
  }

  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(values.length * 4);
    const dv = new DataView(b.buffer);
    values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
    return this.bytes(field, b);
  }

  get length(): number {
    return this.total;
  }

  finish(): Uint8Array {
    this.flush();
    if (this.chunks.length === 1) return this.chunks[0]!;
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
