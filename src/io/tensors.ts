/**
 * The tensors the weight decoders (JSON, safetensors, ONNX) hand out: a row-major
 * float64 copy of the stored data, whatever the stored type was. Names keep file order.
 */
export interface NamedTensor {
  readonly shape: readonly number[];
  /** Row-major, converted to float64. */
  readonly data: Float64Array;
  /** The stored type ('F32', 'F64', 'BF16', 'float32', 'json', ...), for messages. */
  readonly dtype: string;
}

export type NamedTensors = ReadonlyMap<string, NamedTensor>;
