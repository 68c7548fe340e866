/**
 * The protobuf wire format (pure): just enough to read and rewrite an ONNX model's messages field by
 * field. Unknown fields are kept as bytes, so a rewrite copies what it does not touch.
 */
type WireType = 0 | 1 | 2 | 5;

/** One field occurrence of a protobuf message; `value` is a varint (wire type 0) or raw bytes. */
export interface PbField {
  no: number;
  wireType: WireType;
  /** Varint value for wire type 0; the payload bytes (a view, not a copy) otherwise. */
  value: bigint | Uint8Array;
}

export const textDecoder = new TextDecoder();
export const textEncoder = new TextEncoder();

function readVarint(buf: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated protobuf varint');
    const byte = buf[pos++];
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
    if (shift > 63n) throw new Error('protobuf varint too long');
  }
}

/** Splits a message into its fields (one level; nested messages stay as bytes). */
export function readFields(buf: Uint8Array): PbField[] {
  const fields: PbField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const [key, afterKey] = readVarint(buf, pos);
    pos = afterKey;
    const no = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (wireType === 0) {
      const [v, next] = readVarint(buf, pos);
      fields.push({ no, wireType, value: v });
      pos = next;
    } else if (wireType === 2) {
      const [len, next] = readVarint(buf, pos);
      const end = next + Number(len);
      if (end > buf.length) throw new Error('truncated protobuf field');
      fields.push({ no, wireType, value: buf.subarray(next, end) });
      pos = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      if (pos + size > buf.length) throw new Error('truncated protobuf field');
      fields.push({ no, wireType, value: buf.subarray(pos, pos + size) });
      pos += size;
    } else {
      throw new Error(`unsupported protobuf wire type ${wireType}`);
    }
  }
  return fields;
}

function varintSize(v: bigint): number {
  let n = 1;
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    x >>= 7n;
    n++;
  }
  return n;
}

function writeVarint(out: Uint8Array, pos: number, v: bigint): number {
  let x = BigInt.asUintN(64, v);
  while (x >= 0x80n) {
    out[pos++] = Number(x & 0x7fn) | 0x80;
    x >>= 7n;
  }
  out[pos++] = Number(x);
  return pos;
}

/** Serialises fields in the given order. */
export function writeFields(fields: readonly PbField[]): Uint8Array {
  let size = 0;
  for (const f of fields) {
    size += varintSize(BigInt((f.no << 3) | f.wireType));
    if (f.wireType === 0) size += varintSize(f.value as bigint);
    else {
      const len = (f.value as Uint8Array).length;
      size += (f.wireType === 2 ? varintSize(BigInt(len)) : 0) + len;
    }
  }
  const out = new Uint8Array(size);
  let pos = 0;
  for (const f of fields) {
    pos = writeVarint(out, pos, BigInt((f.no << 3) | f.wireType));
    if (f.wireType === 0) pos = writeVarint(out, pos, f.value as bigint);
    else {
      const bytes = f.value as Uint8Array;
      if (f.wireType === 2) pos = writeVarint(out, pos, BigInt(bytes.length));
      out.set(bytes, pos);
      pos += bytes.length;
    }
  }
  return out;
}

export const bytesField = (no: number, value: Uint8Array): PbField => ({ no, wireType: 2, value });
export const stringField = (no: number, value: string): PbField => bytesField(no, textEncoder.encode(value));
export const varintField = (no: number, value: bigint | number): PbField => ({ no, wireType: 0, value: BigInt(value) });

export function asBytes(f: PbField): Uint8Array {
  if (f.wireType !== 2) throw new Error(`protobuf field ${f.no} is not length-delimited`);
  return f.value as Uint8Array;
}
export const asString = (f: PbField) => textDecoder.decode(asBytes(f));
export const firstOf = (fields: readonly PbField[], no: number) => fields.find((f) => f.no === no);

/** Repeated int64 field that may be packed (wire type 2) or not (wire type 0). */
export function readInt64s(fields: readonly PbField[], no: number): bigint[] {
  const out: bigint[] = [];
  for (const f of fields) {
    if (f.no !== no) continue;
    if (f.wireType === 0) out.push(BigInt.asIntN(64, f.value as bigint));
    else {
      const buf = asBytes(f);
      let pos = 0;
      while (pos < buf.length) {
        const [v, next] = readVarint(buf, pos);
        out.push(BigInt.asIntN(64, v));
        pos = next;
      }
    }
  }
  return out;
}

export function packedVarints(values: readonly bigint[]): Uint8Array {
  const size = values.reduce((s, v) => s + varintSize(v), 0);
  const out = new Uint8Array(size);
  let pos = 0;
  for (const v of values) pos = writeVarint(out, pos, v);
  return out;
}

