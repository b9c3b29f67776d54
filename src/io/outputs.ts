/**
 * Outputs a framework saved, to compare a model with: a .npy array of h per step ([T, H],
 * [T, N, H] or ONNX's Y [T, 1, N, H]), or JSON: that array, an object of such arrays
 * ({"h": ..., "c": ...}), or a gateflow trace (--json), whose steps hold every gate.
 */
import { InputError } from '../errors.js';
import { jsonError, parseJsonText, type JsonValue, type ParsedJson } from './json-text.js';
import { decodeNpy, isNpy } from './npy.js';
import type { NamedTensor } from './tensors.js';

export type DecodedOutputs =
  | { readonly kind: 'tensors'; readonly tensors: ReadonlyMap<string, NamedTensor> }
  | { readonly kind: 'steps'; readonly steps: readonly Readonly<Record<string, number[][]>>[] };

export function decodeOutputs(bytes: Uint8Array, file: string): DecodedOutputs {
  if (isNpy(bytes)) return { kind: 'tensors', tensors: new Map([['h', decodeNpy(bytes, file)]]) };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new InputError(`${file}: an outputs file is .npy or JSON, and this is neither`);
  }
  const parsed = parseJsonText(text, file);
  const value = parsed.value;
  if (Array.isArray(value)) return { kind: 'tensors', tensors: new Map([['h', nestedTensor(parsed, value, file, 'the outputs')]]) };
  if (value === null || typeof value !== 'object') throw jsonError(file, { line: 1, column: 1 }, 'expected an array of h per step, an object {"h": [...]}, or a gateflow trace');
  if (Array.isArray(value.steps)) return { kind: 'steps', steps: traceSteps(parsed, value.steps, file) };
  const tensors = new Map<string, NamedTensor>();
  for (const [name, entry] of Object.entries(value)) {
    if (!Array.isArray(entry)) throw jsonError(file, parsed.memberPosition(value, name), `'${name}' must be an array of numbers`);
    tensors.set(name, nestedTensor(parsed, entry, file, `'${name}'`));
  }
  return { kind: 'tensors', tensors };
}

/** A rectangular nested array of finite numbers (at most 4 axes) as a tensor. */
function nestedTensor(parsed: ParsedJson, value: JsonValue[], file: string, what: string): NamedTensor {
  const shape: number[] = [];
  for (let level: JsonValue = value; Array.isArray(level); level = level[0]) {
    if (level.length === 0) throw jsonError(file, parsed.positions.get(level) ?? { line: 1, column: 1 }, `${what} has an empty axis`);
    shape.push(level.length);
    if (shape.length > 4) throw jsonError(file, parsed.positions.get(level) ?? { line: 1, column: 1 }, `${what} has more than 4 axes`);
  }
  const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
  let at = 0;
  const visit = (node: JsonValue[], depth: number): void => {
    if (node.length !== shape[depth]) throw jsonError(file, parsed.positions.get(node) ?? { line: 1, column: 1 }, `${what} is not rectangular: ${node.length} entries where ${shape[depth]} were expected`);
    node.forEach((entry, i) => {
      if (depth + 1 < shape.length) {
        if (!Array.isArray(entry)) throw jsonError(file, parsed.elementPosition(node, i), `${what} is not rectangular: a number where an array was expected`);
        visit(entry, depth + 1);
      } else if (typeof entry !== 'number' || !Number.isFinite(entry)) {
        throw jsonError(file, parsed.elementPosition(node, i), `${what} must hold finite numbers, found ${JSON.stringify(entry)?.slice(0, 20)}`);
      } else data[at++] = entry;
    });
  };
  visit(value, 0);
  return { shape, data, dtype: 'json' };
}

/** A gateflow trace's steps: each value [batch][size] by name. */
function traceSteps(parsed: ParsedJson, steps: JsonValue[], file: string): Record<string, number[][]>[] {
  return steps.map((step, t) => {
    const values = step && typeof step === 'object' && !Array.isArray(step) ? step.values : undefined;
    if (!values || typeof values !== 'object' || Array.isArray(values)) throw jsonError(file, parsed.elementPosition(steps, t), `step ${t} has no "values" object (a gateflow trace --json file was expected)`);
    const out: Record<string, number[][]> = {};
    for (const [name, entry] of Object.entries(values)) {
      if (!Array.isArray(entry)) throw jsonError(file, parsed.memberPosition(values, name), `step ${t}, '${name}' must be [batch][size]`);
      const tensor = nestedTensor(parsed, entry, file, `step ${t}, '${name}'`);
      if (tensor.shape.length !== 2) throw jsonError(file, parsed.memberPosition(values, name), `step ${t}, '${name}' must be [batch][size]`);
      const [rows, cols] = tensor.shape;
      out[name] = Array.from({ length: rows }, (_, b) => Array.from(tensor.data.subarray(b * cols, (b + 1) * cols)));
    }
    return out;
  });
}
