/** Where YOLOX's features are in an exported graph, found by the graph's structure rather than by names (pure). */
import { summariseOnnxGraph, type OnnxGraphSummary, type OnnxNode } from './onnx-graph.js';

export interface YoloxGraphInfo {
  /**
   * Per head level, in the order of the output's anchors (stride 8, 16, 32): the feature map the
   * level's head reads (the neck's output, e.g. 64/128/256 channels for YOLOX-Nano).
   */
  headInputs: string[];
  /** Per level: the head's stem output (the first conv of the head, shared by its class and box branches). */
  stemOutputs: string[];
}

/**
 * Walks back from the graph output through Transpose/Concat/Reshape to each level's
 * [box, objectness, class] Concat; the stem is where the class branch and the box branch meet, and the
 * head's input is what the stem's convolution reads.
 */
export function findYoloxHeadInputs(graph: OnnxGraphSummary | Uint8Array, outputName: string): YoloxGraphInfo {
  const g = graph instanceof Uint8Array ? summariseOnnxGraph(graph) : graph;
  const producedBy = new Map<string, OnnxNode>();
  for (const n of g.nodes) for (const o of n.outputs) producedBy.set(o, n);
  const producer = (tensor: string, what: string): OnnxNode => {
    const n = producedBy.get(tensor);
    if (!n) throw new Error(`YOLOX graph: ${what} (${tensor}) has no producing node`);
    return n;
  };
  const through = (tensor: string, ops: string[]): OnnxNode => {
    let n = producer(tensor, 'output');
    while (ops.includes(n.opType) && n.inputs.length === 1) n = producer(n.inputs[0], n.opType);
    return n;
  };

  // output <- Transpose <- Concat(levels) <- Reshape per level <- Concat(box, obj, cls)
  const all = through(outputName, ['Transpose', 'Identity']);
  if (all.opType !== 'Concat') throw new Error(`YOLOX graph: expected a Concat of the levels before ${outputName}, found ${all.opType}`);
  const levelConcats = all.inputs.map((t) => {
    let n = producer(t, 'level');
    while (n.opType === 'Reshape' || n.opType === 'Flatten' || n.opType === 'Identity') n = producer(n.inputs[0], n.opType);
    if (n.opType !== 'Concat' || n.inputs.length !== 3) throw new Error(`YOLOX graph: expected a box/objectness/class Concat per level, found ${n.opType}`);
    return n;
  });

  // One step back along the data path: Conv reads input 0; SiLU is Mul(x, Sigmoid(x)); Sigmoid reads input 0.
  const dataInputOf = (n: OnnxNode): string | undefined => {
    if (n.opType === 'Conv' || n.opType === 'Sigmoid' || n.opType === 'Relu' || n.opType === 'BatchNormalization') return n.inputs[0];
    if (n.opType === 'Mul' && n.inputs.length === 2) {
      const [a, b] = n.inputs;
      const pb = producedBy.get(b);
      if (pb && pb.opType === 'Sigmoid' && pb.inputs[0] === a) return a;
      const pa = producedBy.get(a);
      if (pa && pa.opType === 'Sigmoid' && pa.inputs[0] === b) return b;
    }
    return undefined;
  };
  const pathBack = (start: string): string[] => {
    const path: string[] = [start];
    let t = start;
    for (let steps = 0; steps < 200; steps++) {
      const n = producedBy.get(t);
      const next = n && dataInputOf(n);
      if (!next) break;
      path.push(next);
      t = next;
    }
    return path;
  };

  const headInputs: string[] = [];
  const stemOutputs: string[] = [];
  for (const concat of levelConcats) {
    const [box, , cls] = concat.inputs;
    const boxPath = new Set(pathBack(box));
    // cls is Sigmoid(cls_pred): walk back until the class path meets the box path.
    const stem = pathBack(cls).find((t) => boxPath.has(t));
    if (!stem) throw new Error('YOLOX graph: the class and box branches of a level never meet');
    // stem = SiLU(Conv(headInput))
    let n = producer(stem, 'stem');
    while (n.opType !== 'Conv') {
      const next = dataInputOf(n);
      if (!next) throw new Error(`YOLOX graph: unexpected ${n.opType} in the head stem`);
      n = producer(next, 'stem');
    }
    stemOutputs.push(stem);
    headInputs.push(n.inputs[0]);
  }
  return { headInputs, stemOutputs };
}
