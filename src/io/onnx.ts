/**
 * ONNX model bytes ↔ a plain description of the graph (nodes, attributes, initializers
 * as float64 tensors), through protobufjs and the ONNX schema compiled by the onnx-proto
 * package. What the recurrent node means is decided in trace/; this file only decodes,
 * and rejects truncated or corrupt bytes with an InputError naming the file.
 */
import { createRequire } from 'node:module';
import type onnxProto from 'onnx-proto';
import { InputError } from '../errors.js';
import { bfloatToFloat, halfToFloat } from './safetensors.js';
import type { NamedTensor } from './tensors.js';

type OnnxSchema = typeof onnxProto.onnx;
let schema: OnnxSchema | undefined;
/** The ONNX schema (protobufjs) loads when a model is read or written, not with io/. */
function onnxSchema(): OnnxSchema {
  return (schema ??= (createRequire(import.meta.url)('onnx-proto') as typeof onnxProto).onnx);
}

export type OnnxAttribute = number | string | readonly number[] | readonly string[] | { readonly unsupported: string };

export interface OnnxNode {
  readonly opType: string;
  readonly name: string;
  readonly domain: string;
  /** Input names in operator slot order; '' marks an absent optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, OnnxAttribute>>;
}

export interface OnnxModel {
  readonly file: string;
  readonly irVersion: number;
  /** Version of the default ('' or 'ai.onnx') operator set. */
  readonly opset: number;
  readonly producer: string;
  readonly nodes: readonly OnnxNode[];
  /** Stored tensors (initializers and Constant nodes' values) by name, converted to float64 (integer tensors too). */
  readonly initializers: ReadonlyMap<string, NamedTensor>;
  /** Names of the graph's inputs (fed at run time, not stored). */
  readonly graphInputs: readonly string[];
}

/** TensorProto.DataType values and the names used in messages. */
const DATA_TYPES: Readonly<Record<number, string>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

type LongLike = number | { toNumber(): number } | { low: number; high: number };
const toNumber = (v: LongLike | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === 'number' ? v : 'toNumber' in v ? v.toNumber() : v.high * 4294967296 + (v.low >>> 0);

export function decodeOnnx(bytes: Uint8Array, file: string): OnnxModel {
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnxSchema().ModelProto.decode(bytes);
  } catch (error) {
    throw new InputError(`${file}: not a valid ONNX model (truncated or corrupt protobuf: ${(error as Error).message})`);
  }
  const graph = model.graph;
  if (!graph || toNumber(model.irVersion as LongLike) <= 0) {
    throw new InputError(`${file}: not a valid ONNX model (${graph ? 'no ir_version' : 'no graph'}; is this an ONNX file?)`);
  }
  const initializers = new Map<string, NamedTensor>();
  for (const tensor of graph.initializer ?? []) {
    const name = tensor.name ?? '';
    initializers.set(name, decodeTensor(tensor, `${file}: initializer '${name}'`));
  }
  // Some exporters store weights as Constant nodes rather than initializers: both are stored data.
  for (const node of graph.node ?? []) {
    const value = node.opType === 'Constant' ? (node.attribute ?? []).find((a) => a.name === 'value' && a.t) : undefined;
    const output = node.output?.[0];
    if (value?.t && output) initializers.set(output, decodeTensor(value.t, `${file}: Constant '${output}'`));
  }
  // Every real model declares the default operator set; without it the node types have no meaning.
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  if (!opset) throw new InputError(`${file}: not a valid ONNX model (no opset_import for the default domain; truncated file?)`);
  return {
    file,
    irVersion: toNumber(model.irVersion as LongLike),
    opset: toNumber(opset.version as LongLike),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    nodes: (graph.node ?? []).map((node) => ({
      opType: node.opType ?? '',
      name: node.name ?? '',
      domain: node.domain ?? '',
      inputs: [...(node.input ?? [])],
      outputs: [...(node.output ?? [])],
      attributes: Object.fromEntries((node.attribute ?? []).map((a) => [a.name ?? '', decodeAttribute(a)])),
    })),
    initializers,
    graphInputs: (graph.input ?? []).map((i) => i.name ?? '').filter((name) => !initializers.has(name)),
  };
}

function decodeAttribute(a: onnxProto.onnx.IAttributeProto): OnnxAttribute {
  const text = (b: Uint8Array | null | undefined): string => new TextDecoder().decode(b ?? new Uint8Array());
  const T = onnxSchema().AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT: return a.f ?? 0;
    case T.INT: return toNumber(a.i as LongLike);
    case T.STRING: return text(a.s);
    case T.FLOATS: return [...(a.floats ?? [])];
    case T.INTS: return (a.ints ?? []).map((v) => toNumber(v as LongLike));
    case T.STRINGS: return (a.strings ?? []).map(text);
    default: return { unsupported: T[a.type ?? 0] ?? `type ${a.type}` };
  }
}

function decodeTensor(t: onnxProto.onnx.ITensorProto, where: string): NamedTensor {
  const dims = (t.dims ?? []).map((d) => toNumber(d as LongLike));
  const type = t.dataType ?? 0;
  const dtype = DATA_TYPES[type] ?? `type ${type}`;
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new InputError(`${where} has invalid dims [${dims.join(', ')}]`);
  if (t.dataLocation === onnxSchema().TensorProto.DataLocation.EXTERNAL) {
    throw new InputError(`${where} keeps its data in an external file; save the model with the weights inside it`);
  }
  // The dims are only a claim: the output is allocated after they are checked against the data present.
  const count = dims.reduce((a, b) => a * b, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const itemSize: Record<string, number> = { float32: 4, float64: 8, int32: 4, int64: 8, float16: 2, bfloat16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2, uint32: 4, uint64: 8, bool: 1 };
  const size = Object.hasOwn(itemSize, dtype) ? itemSize[dtype] : undefined;
  if (size === undefined) throw new InputError(`${where} has data type ${dtype}; gateflow reads numeric tensors`);
  if (raw) {
    if (raw.length !== count * size) throw new InputError(`${where}: raw data has ${raw.length} bytes, dims [${dims.join(', ')}] of ${dtype} need ${count * size}`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = readRaw(view, i * size, dtype);
    return { shape: dims, data: out, dtype };
  }
  // Typed fields: float_data holds float32; int32_data holds int32, int8..uint16, bool and the bits of float16/bfloat16.
  const typed: ArrayLike<number | LongLike> =
    dtype === 'float32' ? (t.floatData ?? [])
    : dtype === 'float64' ? (t.doubleData ?? [])
    : dtype === 'int64' ? (t.int64Data ?? [])
    : dtype === 'uint32' || dtype === 'uint64' ? (t.uint64Data ?? [])
    : (t.int32Data ?? []);
  if (typed.length !== count) throw new InputError(`${where} holds ${typed.length} values, dims [${dims.join(', ')}] need ${count}`);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = toNumber(typed[i] as LongLike);
    out[i] = dtype === 'float16' ? halfToFloat(v) : dtype === 'bfloat16' ? bfloatToFloat(v) : v;
  }
  return { shape: dims, data: out, dtype };
}

function readRaw(view: DataView, at: number, dtype: string): number {
  switch (dtype) {
    case 'float32': return view.getFloat32(at, true);
    case 'float64': return view.getFloat64(at, true);
    case 'int32': return view.getInt32(at, true);
    case 'int64': return Number(view.getBigInt64(at, true));
    case 'uint64': return Number(view.getBigUint64(at, true));
    case 'uint32': return view.getUint32(at, true);
    case 'int16': return view.getInt16(at, true);
    case 'uint16': return view.getUint16(at, true);
    case 'int8': return view.getInt8(at);
    case 'uint8': case 'bool': return view.getUint8(at);
    case 'float16': return halfToFloat(view.getUint16(at, true));
    default: return bfloatToFloat(view.getUint16(at, true));
  }
}

/** A tensor to store in a model: float32 as exporters write it, unless int32 or float64 is asked for. */
export interface OnnxTensorToWrite {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number>;
  readonly type?: 'float32' | 'float64' | 'int32';
}

export interface OnnxModelToWrite {
  readonly node: {
    readonly opType: string;
    readonly name?: string;
    readonly inputs: readonly string[];
    readonly outputs: readonly string[];
    readonly attributes?: Readonly<Record<string, number | string | readonly number[] | readonly string[]>>;
  };
  /** Stored tensors, written as raw little-endian data. */
  readonly initializers?: Readonly<Record<string, OnnxTensorToWrite>>;
  /** Stored tensors written as Constant nodes (as some exporters do), by output name. */
  readonly constants?: Readonly<Record<string, OnnxTensorToWrite>>;
  /** Other nodes placed before the main one (no attributes), e.g. a Transpose. */
  readonly otherNodes?: readonly { readonly opType: string; readonly name: string; readonly inputs: readonly string[]; readonly outputs: readonly string[] }[];
  /** Names fed at run time (declared as float graph inputs without a shape). */
  readonly graphInputs?: readonly string[];
  readonly opset?: number;
  readonly producer?: string;
}

/**
 * A one-node model, as an exporter writes it: weights as initializers with raw data.
 * Floats in attributes are written as FLOAT and whole numbers as INT, except that
 * `floatAttributes` names attributes that are always FLOAT(S) (clip, activation_alpha).
 */
export function encodeOnnxModel(spec: OnnxModelToWrite): Uint8Array {
  const T = onnxSchema().AttributeProto.AttributeType;
  const floatNames = new Set(['clip', 'activation_alpha', 'activation_beta']);
  const attributes = Object.entries(spec.node.attributes ?? {}).map(([name, value]) => {
    if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
    if (typeof value === 'number') return floatNames.has(name) ? { name, type: T.FLOAT, f: value } : { name, type: T.INT, i: value };
    if (value.length > 0 && typeof value[0] === 'string') return { name, type: T.STRINGS, strings: (value as string[]).map((s) => new TextEncoder().encode(s)) };
    return floatNames.has(name) ? { name, type: T.FLOATS, floats: [...(value as number[])] } : { name, type: T.INTS, ints: [...(value as number[])] };
  });
  const typeCode = { float32: 1, float64: 11, int32: 6 } as const;
  const tensor = (name: string, t: OnnxTensorToWrite) => {
    const type = t.type ?? 'float32';
    const size = type === 'float64' ? 8 : 4;
    const raw = new Uint8Array(t.data.length * size);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < t.data.length; i++) {
      if (type === 'float64') view.setFloat64(i * size, t.data[i], true);
      else if (type === 'int32') view.setInt32(i * size, t.data[i], true);
      else view.setFloat32(i * size, t.data[i], true);
    }
    return { name, dims: [...t.dims], dataType: typeCode[type], rawData: raw };
  };
  const initializer = Object.entries(spec.initializers ?? {}).map(([name, t]) => tensor(name, t));
  const constants = Object.entries(spec.constants ?? {}).map(([name, t]) => ({
    opType: 'Constant',
    name: `const_${name}`,
    input: [],
    output: [name],
    attribute: [{ name: 'value', type: T.TENSOR, t: tensor(name, t) }],
  }));
  const others = (spec.otherNodes ?? []).map((n) => ({ opType: n.opType, name: n.name, input: [...n.inputs], output: [...n.outputs] }));
  const model = onnxSchema().ModelProto.create({
    irVersion: 8,
    producerName: spec.producer ?? 'gateflow',
    opsetImport: [{ domain: '', version: spec.opset ?? 14 }],
    graph: {
      name: 'gateflow',
      node: [...constants, ...others, { opType: spec.node.opType, name: spec.node.name ?? spec.node.opType, input: [...spec.node.inputs], output: [...spec.node.outputs], attribute: attributes }],
      initializer,
      input: (spec.graphInputs ?? []).map((name) => ({ name, type: { tensorType: { elemType: 1 } } })),
      output: spec.node.outputs.filter(Boolean).map((name) => ({ name, type: { tensorType: { elemType: 1 } } })),
    },
  });
  return onnxSchema().ModelProto.encode(model).finish();
}
