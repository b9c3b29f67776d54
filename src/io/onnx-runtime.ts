/**
 * onnxruntime-node, an optional dependency: when it is installed, `check` runs an ONNX model
 * in the runtime itself (CPU, float32) and compares its Y with gateflow's trace of the same
 * model. Its native binaries ship inside the npm package; nothing is downloaded (.npmrc skips
 * its installer's optional CUDA download).
 */
import { InputError } from '../errors.js';

export interface RuntimeOutput {
  /** The onnxruntime-node version that ran the model. */
  readonly version: string;
  /** h after every step, [T][N][H] (Y with its one direction dropped). */
  readonly h: number[][][];
}

type Ort = typeof import('onnxruntime-node');

/** The runtime module, or undefined when the optional package is not installed. */
export async function loadRuntime(): Promise<Ort | undefined> {
  try {
    const module = (await import('onnxruntime-node')) as Ort & { default?: Ort };
    return module.default ?? module;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/**
 * Runs the model's recurrent node on `inputs` [T][N][I] (X, the graph's one run-time input);
 * undefined when onnxruntime-node is not installed. The runtime's refusals (layout=1, a type it
 * lacks) become an InputError naming the file.
 */
export async function runOnnxRuntime(bytes: Uint8Array, inputs: readonly (readonly (readonly number[])[])[], file: string): Promise<RuntimeOutput | undefined> {
  const ort = await loadRuntime();
  if (!ort) return undefined;
  const [T, N, I] = [inputs.length, inputs[0].length, inputs[0][0].length];
  try {
    const session = await ort.InferenceSession.create(bytes);
    const x = new ort.Tensor('float32', Float32Array.from(inputs.flat(2)), [T, N, I]);
    const result = await session.run({ [session.inputNames[0]]: x });
    const y = result[session.outputNames[0]];
    const [steps, , batch, hidden] = y.dims.map(Number);
    const data = y.data as Float32Array;
    const h = Array.from({ length: steps }, (_, t) => Array.from({ length: batch }, (_, b) => Array.from(data.subarray((t * batch + b) * hidden, (t * batch + b + 1) * hidden))));
    await session.release();
    return { version: ort.env.versions.node ?? ort.env.versions.common ?? 'unknown', h };
  } catch (error) {
    throw new InputError(`${file}: onnxruntime could not run the model (${String((error as Error).message ?? error).split('\n')[0]})`);
  }
}
