/**
 * Minimal ONNX reader/rewriter (pure): just enough protobuf to read a model's graph and rewrite it to a
 * dynamic batch dimension with extra outputs. Everything it does not touch is copied byte for byte
 * (unknown fields included), so it does not depend on a particular onnx.proto version and needs no
 * runtime dependency.
 *
 * Field numbers are those of onnx.proto (ModelProto.graph = 7, GraphProto.node = 1, ...).
 */

import { asBytes, asString, bytesField, firstOf, packedVarints, readFields, readInt64s, stringField, varintField, writeFields, type PbField } from './protobuf-wire.js';

export { readFields, writeFields, type PbField } from './protobuf-wire.js';

// ---------------------------------------------------------------------------------------------
// ONNX structures (only what the rewrite needs)

const MODEL = { graph: 7 } as const;
const GRAPH = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5 } as const;
const ATTR = { name: 1, i: 3, t: 5 } as const;
const TENSOR = { dims: 1, dataType: 2, int64Data: 7, name: 8, rawData: 9 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIM = { value: 1, param: 2 } as const;
const DATA_TYPE_INT64 = 7;
export const ONNX_FLOAT = 1;

export interface OnnxNode {
  name: string;
  opType: string;
  inputs: string[];
  outputs: string[];
}

export interface OnnxValueInfo {
  name: string;
  /** Element type (1 = float32), or undefined when not a tensor. */
  elemType?: number;
  /** A number per fixed dimension, the symbol's name per symbolic one; undefined when the rank is unknown. */
  dims?: Array<number | string>;
}

export interface OnnxGraphSummary {
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  nodes: OnnxNode[];
  /** int64 initializers (shape constants and the like) by name. */
  int64Initializers: Map<string, bigint[]>;
  initializerNames: Set<string>;
}

function parseNode(buf: Uint8Array): OnnxNode {
  const fields = readFields(buf);
  const name = firstOf(fields, NODE.name);
  const opType = firstOf(fields, NODE.opType);
  return {
    name: name ? asString(name) : '',
    opType: opType ? asString(opType) : '',
    inputs: fields.filter((f) => f.no === NODE.input).map(asString),
    outputs: fields.filter((f) => f.no === NODE.output).map(asString),
  };
}

function parseValueInfo(buf: Uint8Array): OnnxValueInfo {
  const fields = readFields(buf);
  const name = firstOf(fields, VALUE_INFO.name);
  const info: OnnxValueInfo = { name: name ? asString(name) : '' };
  const type = firstOf(fields, VALUE_INFO.type);
  const tensorType = type && firstOf(readFields(asBytes(type)), TYPE.tensorType);
  if (!tensorType) return info;
  const tt = readFields(asBytes(tensorType));
  const elem = firstOf(tt, TENSOR_TYPE.elemType);
  if (elem) info.elemType = Number(elem.value as bigint);
  const shape = firstOf(tt, TENSOR_TYPE.shape);
  if (shape) {
    info.dims = readFields(asBytes(shape))
      .filter((f) => f.no === SHAPE.dim)
      .map((d) => {
        const df = readFields(asBytes(d));
        const v = firstOf(df, DIM.value);
        const p = firstOf(df, DIM.param);
        return v ? Number(BigInt.asIntN(64, v.value as bigint)) : p ? asString(p) : '?';
      });
  }
  return info;
}

/** int64 values of a TensorProto (raw_data or int64_data), or undefined for other types. */
function tensorInt64s(fields: readonly PbField[]): bigint[] | undefined {
  const dt = firstOf(fields, TENSOR.dataType);
  if (!dt || Number(dt.value as bigint) !== DATA_TYPE_INT64) return undefined;
  const raw = firstOf(fields, TENSOR.rawData);
  if (raw) {
    const bytes = asBytes(raw);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out: bigint[] = [];
    for (let i = 0; i + 8 <= bytes.length; i += 8) out.push(view.getBigInt64(i, true));
    return out;
  }
  return readInt64s(fields, TENSOR.int64Data);
}

/** Replaces the int64 values of a TensorProto, keeping its storage form (raw_data or int64_data). */
function withTensorInt64s(fields: readonly PbField[], values: readonly bigint[]): PbField[] {
  const out: PbField[] = [];
  let written = false;
  for (const f of fields) {
    if (f.no === TENSOR.rawData) {
      const bytes = new Uint8Array(values.length * 8);
      const view = new DataView(bytes.buffer);
      values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
      out.push(bytesField(TENSOR.rawData, bytes));
      written = true;
    } else if (f.no === TENSOR.int64Data) {
      if (!written) out.push(bytesField(TENSOR.int64Data, packedVarints(values)));
      written = true;
    } else out.push(f);
  }
  if (!written) out.push(bytesField(TENSOR.int64Data, packedVarints(values)));
  return out;
}

interface ParsedModel {
  modelFields: PbField[];
  graphIndex: number;
  graphFields: PbField[];
}

function parseModel(model: Uint8Array): ParsedModel {
  const modelFields = readFields(model);
  const graphIndex = modelFields.findIndex((f) => f.no === MODEL.graph);
  if (graphIndex < 0) throw new Error('the ONNX model has no graph');
  return { modelFields, graphIndex, graphFields: readFields(asBytes(modelFields[graphIndex])) };
}

/** Reads the graph's inputs, outputs, nodes and int64 initializers. */
export function summariseOnnxGraph(model: Uint8Array): OnnxGraphSummary {
  const { graphFields } = parseModel(model);
  const int64Initializers = new Map<string, bigint[]>();
  const initializerNames = new Set<string>();
  for (const f of graphFields) {
    if (f.no !== GRAPH.initializer) continue;
    const tf = readFields(asBytes(f));
    const nameField = firstOf(tf, TENSOR.name);
    const name = nameField ? asString(nameField) : '';
    initializerNames.add(name);
    const values = tensorInt64s(tf);
    if (values) int64Initializers.set(name, values);
  }
  return {
    inputs: graphFields.filter((f) => f.no === GRAPH.input).map((f) => parseValueInfo(asBytes(f))).filter((v) => !initializerNames.has(v.name)),
    outputs: graphFields.filter((f) => f.no === GRAPH.output).map((f) => parseValueInfo(asBytes(f))),
    nodes: graphFields.filter((f) => f.no === GRAPH.node).map((f) => parseNode(asBytes(f))),
    int64Initializers,
    initializerNames,
  };
}

/** A ValueInfoProto whose first dimension becomes the symbol `batch`. */
function withSymbolicFirstDim(valueInfo: Uint8Array, symbol: string): Uint8Array {
  const vi = readFields(valueInfo);
  const rewriteMessage = (fields: PbField[], no: number, fn: (inner: PbField[]) => PbField[]): PbField[] => {
    const i = fields.findIndex((f) => f.no === no);
    if (i < 0) throw new Error(`graph input/output without a tensor shape (field ${no})`);
    const copy = fields.slice();
    copy[i] = bytesField(no, writeFields(fn(readFields(asBytes(fields[i])))));
    return copy;
  };
  const out = rewriteMessage(vi, VALUE_INFO.type, (type) =>
    rewriteMessage(type, TYPE.tensorType, (tt) =>
      rewriteMessage(tt, TENSOR_TYPE.shape, (shape) => {
        const first = shape.findIndex((f) => f.no === SHAPE.dim);
        if (first < 0) throw new Error('graph input/output of rank 0');
        const copy = shape.slice();
        copy[first] = bytesField(SHAPE.dim, writeFields([stringField(DIM.param, symbol)]));
        return copy;
      }),
    ),
  );
  return writeFields(out);
}

/** A graph output of type float32 with unknown shape. */
function floatOutputValueInfo(name: string): Uint8Array {
  const tensorType = writeFields([varintField(TENSOR_TYPE.elemType, ONNX_FLOAT)]);
  const type = writeFields([bytesField(TYPE.tensorType, tensorType)]);
  return writeFields([stringField(VALUE_INFO.name, name), bytesField(VALUE_INFO.type, type)]);
}

export interface DynamicBatchResult {
  model: Uint8Array;
  /** Names of the Reshape nodes whose leading 1 became 0 (copy the batch). */
  reshapes: string[];
  /** Graph outputs added. */
  addedOutputs: string[];
}

/**
 * Rewrites a model whose batch dimension is fixed at 1 into one with a symbolic `batch`:
 * graph inputs' and outputs' first dimension becomes `batch`; every Reshape whose constant target
 * shape starts with 1 gets 0 there (ONNX: copy the input's dimension); value_info (intermediate
 * shapes, all fixed at batch 1) is dropped so the runtime infers it again. `extraOutputs` names
 * intermediate tensors to expose as float32 graph outputs.
 *
 * This is exact only when every such Reshape's input carries the batch in its first dimension,
 * which holds for detector heads like YOLOX's; check the result against the original model.
 */
export function rewriteToDynamicBatch(
  model: Uint8Array,
  options: {
    symbol?: string;
    extraOutputs?: readonly string[];
    /** false: only add `extraOutputs` (for a graph whose batch is dynamic already). */
    batch?: boolean;
    /** false only to test what a naive rewrite does. */
    fixReshapes?: boolean;
  } = {},
): DynamicBatchResult {
  const symbol = options.symbol ?? 'batch';
  const { modelFields, graphIndex, graphFields } = parseModel(model);
  const nodes = graphFields.filter((f) => f.no === GRAPH.node).map((f) => parseNode(asBytes(f)));
  const producedBy = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of nodes) {
    for (const o of n.outputs) producedBy.set(o, n);
    for (const i of n.inputs) {
      if (!consumers.has(i)) consumers.set(i, []);
      consumers.get(i)!.push(n);
    }
  }

  // Which shape constants to change: Reshape's second input, when it is a constant starting with 1.
  const shapeInputs = new Map<string, string[]>(); // tensor name -> reshape node names
  for (const n of nodes) {
    if (n.opType !== 'Reshape' || n.inputs.length < 2) continue;
    const shapeName = n.inputs[1];
    if (!shapeInputs.has(shapeName)) shapeInputs.set(shapeName, []);
    shapeInputs.get(shapeName)!.push(n.name);
  }
  const reshapes: string[] = [];
  const patchValues = (tensorName: string, values: bigint[] | undefined): bigint[] | undefined => {
    const users = shapeInputs.get(tensorName);
    if (options.batch === false || options.fixReshapes === false || !users || !values || values.length === 0 || values[0] !== 1n) return undefined;
    const others = (consumers.get(tensorName) ?? []).filter((c) => c.opType !== 'Reshape' || c.inputs[1] !== tensorName);
    if (others.length > 0) throw new Error(`shape constant ${tensorName} is also used by ${others[0].opType} ${others[0].name}`);
    reshapes.push(...users);
    return [0n, ...values.slice(1)];
  };

  const initializerNames = new Set<string>();
  for (const f of graphFields) {
    if (f.no !== GRAPH.initializer) continue;
    const n = firstOf(readFields(asBytes(f)), TENSOR.name);
    if (n) initializerNames.add(asString(n));
  }

  const newGraph: PbField[] = [];
  for (const f of graphFields) {
    if (options.batch === false) {
      newGraph.push(f);
      continue;
    }
    if (f.no === GRAPH.valueInfo) continue; // fixed at batch 1: let the runtime infer shapes again
    if (f.no === GRAPH.input || f.no === GRAPH.output) {
      const info = parseValueInfo(asBytes(f));
      const isInitializerInput = f.no === GRAPH.input && initializerNames.has(info.name);
      newGraph.push(isInitializerInput ? f : bytesField(f.no, withSymbolicFirstDim(asBytes(f), symbol)));
      continue;
    }
    if (f.no === GRAPH.initializer) {
      const tf = readFields(asBytes(f));
      const nameField = firstOf(tf, TENSOR.name);
      const name = nameField ? asString(nameField) : '';
      const patched = shapeInputs.has(name) ? patchValues(name, tensorInt64s(tf)) : undefined;
      newGraph.push(patched ? bytesField(GRAPH.initializer, writeFields(withTensorInt64s(tf, patched))) : f);
      continue;
    }
    if (f.no === GRAPH.node) {
      const node = parseNode(asBytes(f));
      if (node.opType === 'Reshape') {
        const nf = readFields(asBytes(f));
        const allowZero = nf.filter((a) => a.no === NODE.attribute).map((a) => readFields(asBytes(a))).find((a) => {
          const n = firstOf(a, ATTR.name);
          return n !== undefined && asString(n) === 'allowzero';
        });
        if (allowZero && Number((firstOf(allowZero, ATTR.i)?.value as bigint | undefined) ?? 0n) !== 0) {
          throw new Error(`Reshape ${node.name} has allowzero=1: 0 would not copy the batch`);
        }
      }
      if (node.opType === 'Constant' && node.outputs.length === 1 && shapeInputs.has(node.outputs[0])) {
        const nf = readFields(asBytes(f));
        const newNode = nf.map((a) => {
          if (a.no !== NODE.attribute) return a;
          const af = readFields(asBytes(a));
          const an = firstOf(af, ATTR.name);
          const t = firstOf(af, ATTR.t);
          if (!an || asString(an) !== 'value' || !t) return a;
          const tf = readFields(asBytes(t));
          const patched = patchValues(node.outputs[0], tensorInt64s(tf));
          if (!patched) return a;
          return bytesField(NODE.attribute, writeFields(af.map((x) => (x.no === ATTR.t ? bytesField(ATTR.t, writeFields(withTensorInt64s(tf, patched))) : x))));
        });
        newGraph.push(bytesField(GRAPH.node, writeFields(newNode)));
        continue;
      }
    }
    newGraph.push(f);
  }

  const existingOutputs = new Set(graphFields.filter((f) => f.no === GRAPH.output).map((f) => parseValueInfo(asBytes(f)).name));
  const addedOutputs: string[] = [];
  for (const name of options.extraOutputs ?? []) {
    if (existingOutputs.has(name)) continue;
    if (!producedBy.has(name)) throw new Error(`no node produces tensor ${name}`);
    // Outputs must come after the existing ones: insert after the last output field.
    const lastOutput = newGraph.map((f) => f.no).lastIndexOf(GRAPH.output);
    newGraph.splice(lastOutput + 1, 0, bytesField(GRAPH.output, floatOutputValueInfo(name)));
    addedOutputs.push(name);
  }

  const newModel = modelFields.slice();
  newModel[graphIndex] = bytesField(MODEL.graph, writeFields(newGraph));
  return { model: writeFields(newModel), reshapes, addedOutputs };
}

// Exported for tests of the wire format.
export const __testing = { packedVarints, readInt64s, varintField, bytesField, stringField };
