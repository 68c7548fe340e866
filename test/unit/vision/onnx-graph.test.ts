import { describe, expect, it } from 'vitest';
import { __testing, readFields, rewriteToDynamicBatch, summariseOnnxGraph, writeFields, type PbField } from '../../../src/vision/onnx-graph.js';

const { varintField: v, bytesField: b, stringField: s } = __testing;
const msg = (...fields: PbField[]) => writeFields(fields);

// onnx.proto field numbers
const dim = (value: number) => b(1, msg(v(1, value)));
const valueInfo = (name: string, dims: number[]) => msg(s(1, name), b(2, msg(b(1, msg(v(1, 1), b(2, msg(...dims.map(dim))))))));
const node = (op: string, name: string, inputs: string[], outputs: string[], attrs: Uint8Array[] = []) =>
  msg(...inputs.map((i) => s(1, i)), ...outputs.map((o) => s(2, o)), s(3, name), s(4, op), ...attrs.map((a) => b(5, a)));
function int64Raw(name: string, values: number[]) {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((x, i) => view.setBigInt64(i * 8, BigInt(x), true));
  return msg(v(1, values.length), v(2, 7), s(8, name), b(9, raw));
}
const int64Packed = (name: string, values: number[]) => msg(v(1, values.length), v(2, 7), b(7, __testing.packedVarints(values.map((x) => BigInt.asUintN(64, BigInt(x))))), s(8, name));

/** x[1,4] -> Relu -> r -> Reshape(shapeA=[1,2,2]) -> y[1,2,2]; r -> Reshape(Constant [-1]) -> z */
function tinyModel(): Uint8Array {
  const graph = msg(
    b(1, node('Relu', 'relu', ['x'], ['r'])),
    b(1, node('Reshape', 'reshape_a', ['r', 'shapeA'], ['y'])),
    b(1, node('Constant', 'const_b', [], ['shapeB'], [msg(s(1, 'value'), b(5, int64Packed('', [1, -1])), v(20, 4))])),
    b(1, node('Reshape', 'reshape_b', ['r', 'shapeB'], ['z'])),
    s(2, 'tiny'),
    b(5, int64Raw('shapeA', [1, 2, 2])),
    b(11, valueInfo('x', [1, 4])),
    b(12, valueInfo('y', [1, 2, 2])),
    b(12, valueInfo('z', [1, 4])),
    b(13, valueInfo('r', [1, 4])),
    { no: 99, wireType: 0, value: 42n }, // unknown field: must survive
  );
  return msg(v(1, 7), s(2, 'test'), b(7, graph), b(8, msg(s(1, ''), v(2, 11))));
}

describe('protobuf wire format', () => {
  it('round-trips fields byte for byte', () => {
    const m = tinyModel();
    expect(writeFields(readFields(m))).toEqual(m);
  });

  it('encodes negative int64 varints in ten bytes and reads them back', () => {
    const enc = writeFields([v(1, BigInt.asUintN(64, -1n))]);
    expect(enc.length).toBe(11);
    expect(BigInt.asIntN(64, readFields(enc)[0].value as bigint)).toBe(-1n);
  });

  it('rejects truncated input', () => {
    expect(() => readFields(new Uint8Array([0x0a, 0x05, 1, 2]))).toThrow(/truncated/);
  });
});

describe('rewriteToDynamicBatch', () => {
  it('reads the graph', () => {
    const g = summariseOnnxGraph(tinyModel());
    expect(g.inputs).toEqual([{ name: 'x', elemType: 1, dims: [1, 4] }]);
    expect(g.outputs.map((o) => o.dims)).toEqual([[1, 2, 2], [1, 4]]);
    expect(g.nodes.map((n) => n.opType)).toEqual(['Relu', 'Reshape', 'Constant', 'Reshape']);
    expect(g.int64Initializers.get('shapeA')).toEqual([1n, 2n, 2n]);
  });

  it('makes the batch symbolic, zeroes leading 1s of Reshape shapes, drops value_info, adds outputs', () => {
    const result = rewriteToDynamicBatch(tinyModel(), { extraOutputs: ['r'] });
    expect(result.reshapes.sort()).toEqual(['reshape_a', 'reshape_b']);
    expect(result.addedOutputs).toEqual(['r']);
    const g = summariseOnnxGraph(result.model);
    expect(g.inputs[0].dims).toEqual(['batch', 4]);
    expect(g.outputs.map((o) => [o.name, o.dims])).toEqual([
      ['y', ['batch', 2, 2]],
      ['z', ['batch', 4]],
      ['r', undefined],
    ]);
    expect(g.int64Initializers.get('shapeA')).toEqual([0n, 2n, 2n]);
    // The Constant's tensor changed too.
    const graph = readFields(readFields(result.model).find((f) => f.no === 7)!.value as Uint8Array);
    expect(graph.some((f) => f.no === 13)).toBe(false);
    expect(graph.some((f) => f.no === 99 && f.value === 42n)).toBe(true);
    const constant = graph.filter((f) => f.no === 1).map((f) => readFields(f.value as Uint8Array)).find((n) => n.some((f) => f.no === 4 && new TextDecoder().decode(f.value as Uint8Array) === 'Constant'))!;
    const attr = readFields(constant.find((f) => f.no === 5)!.value as Uint8Array);
    const tensor = readFields(attr.find((f) => f.no === 5)!.value as Uint8Array);
    expect(__testing.readInt64s(tensor, 7)).toEqual([0n, -1n]);
  });

  it('with batch: false only adds outputs', () => {
    const result = rewriteToDynamicBatch(tinyModel(), { extraOutputs: ['r'], batch: false });
    expect(result.reshapes).toEqual([]);
    const g = summariseOnnxGraph(result.model);
    expect(g.inputs[0].dims).toEqual([1, 4]);
    expect(g.int64Initializers.get('shapeA')).toEqual([1n, 2n, 2n]);
    expect(g.outputs.map((o) => o.name)).toEqual(['y', 'z', 'r']);
    const graph = readFields(readFields(result.model).find((f) => f.no === 7)!.value as Uint8Array);
    expect(graph.some((f) => f.no === 13)).toBe(true);
  });

  it('refuses a shape constant that something else reads too', () => {
    const graph = msg(
      b(1, node('Reshape', 'reshape_a', ['x', 'shapeA'], ['y'])),
      b(1, node('Add', 'add', ['shapeA', 'shapeA'], ['w'])),
      b(5, int64Raw('shapeA', [1, 4])),
      b(11, valueInfo('x', [1, 4])),
      b(12, valueInfo('y', [1, 4])),
    );
    expect(() => rewriteToDynamicBatch(msg(b(7, graph)))).toThrow(/also used by Add/);
  });

  it('refuses an unknown extra output', () => {
    expect(() => rewriteToDynamicBatch(tinyModel(), { extraOutputs: ['nope'] })).toThrow(/no node produces/);
  });
});
