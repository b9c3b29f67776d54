/**
 * A weights file of any supported format, told apart by its extension or, failing
 * that, by its first bytes: JSON (an object keyed by name), safetensors (an 8-byte
 * header length, then '{'), or an ONNX model (protobuf).
 */
import { InputError } from '../errors.js';
import { decodeWeightsJson } from './inputs.js';
import { decodeOnnx, type OnnxModel } from './onnx.js';
import { decodeSafetensors } from './safetensors.js';
import type { NamedTensors } from './tensors.js';

export type DecodedWeights =
  | { readonly format: 'json'; readonly tensors: NamedTensors }
  | { readonly format: 'safetensors'; readonly tensors: NamedTensors; readonly metadata: Readonly<Record<string, string>> }
  | { readonly format: 'onnx'; readonly model: OnnxModel };

const MAX_JSON_BYTES = 500 * 1024 * 1024;

export function weightsFormat(bytes: Uint8Array, file: string): DecodedWeights['format'] {
  const extension = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  if (extension === 'json') return 'json';
  if (extension === 'safetensors') return 'safetensors';
  if (extension === 'onnx') return 'onnx';
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b) return 'json';
  if (bytes.length >= 9 && bytes[8] === 0x7b) return 'safetensors';
  return 'onnx';
}

export function decodeWeightsFile(bytes: Uint8Array, file: string): DecodedWeights {
  const format = weightsFormat(bytes, file);
  if (format === 'json') {
    // A JavaScript string holds at most 2^29 characters; larger weights belong in safetensors.
    if (bytes.length > MAX_JSON_BYTES) throw new InputError(`${file}: a JSON weights file of ${bytes.length} bytes is too large (at most ${MAX_JSON_BYTES}; save the weights as safetensors)`);
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new InputError(`${file}: not UTF-8 text (a JSON weights file was expected from the .json name)`);
    }
    return { format, tensors: decodeWeightsJson(text, file) };
  }
  if (format === 'safetensors') return { format, ...decodeSafetensors(bytes, file) };
  return { format, model: decodeOnnx(bytes, file) };
}
