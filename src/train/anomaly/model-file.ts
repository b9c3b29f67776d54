/**
 * train/anomaly: a trained detector as JSON text, and back. The file carries the cell's own
 * source (so a model trained on a user's .cell needs nothing else), the sizes, every
 * parameter, the standardisation, the error scale and the threshold. Keys are sorted, so the
 * same model gives the same bytes.
 */
import { parseCell, type CellGraph } from '../../cell/index.js';
import { sizeOf, tensor, type Tensor } from '../../engine/index.js';
import { CellError, clipText, GateflowError, InputError } from '../../errors.js';
import { toStableJson } from '../../stable-json.js';
import type { TrainedModel } from './detect.js';
import { restorePredictor } from './model.js';
import type { SeasonalProfile } from './seasonal.js';

export const MODEL_FORMAT = 'gateflow-anomaly-model';
/** Version 2 added the seasonal profiles, version 3 the local scale, version 4 the level window, version 5 the level alarm's threshold; older files still read (without them). */
const MODEL_VERSION = 5;
const READABLE_VERSIONS: readonly unknown[] = [1, 2, 3, 4, 5];

/** The cell as the user named it and its source text. */
export interface CellSource {
  readonly file: string;
  readonly text: string;
}

/** The model as JSON text (float64 values written exactly). */
export function modelToJson(model: TrainedModel, cell: CellSource): string {
  const p = model.predictor;
  return toStableJson({
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    cell: { file: cell.file, source: cell.text },
    channels: model.channels,
    hidden: p.hidden,
    window: model.window,
    horizon: model.horizon,
    smooth: model.smooth,
    localScale: model.localScale,
    levelWindow: model.levelWindow,
    threshold: model.threshold,
    ...(model.levelThreshold !== undefined ? { levelThreshold: model.levelThreshold } : {}),
    standardisation: { mean: [...model.mean], std: [...model.std] },
    seasonal: model.seasonal.map((p) => (p ? { period: p.period, acf: p.acf, scale: [...p.scale], profile: [...p.profile] } : null)),
    error: { mean: [...model.errorMean], std: [...model.errorStd] },
    params: Object.fromEntries(p.params.map((q) => [q.name, { shape: q.value.shape, data: [...q.value.data] }])),
  }, 1);
}

function fail(file: string, reason: string): InputError {
  return new InputError(`${file}: ${reason}`);
}

function numbers(file: string, value: unknown, what: string, length?: number): number[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number' || !Number.isFinite(v))) throw fail(file, `'${clipText(what)}' must be a list of numbers`);
  if (length !== undefined && value.length !== length) throw fail(file, `'${what}' has ${value.length} numbers, expected ${length}`);
  return value as number[];
}

function positiveInteger(file: string, value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) throw fail(file, `'${what}' must be a positive integer`);
  return value as number;
}

/** The per-channel seasonal profiles (absent in version 1: none). */
function seasonalOf(file: string, value: unknown, C: number): (SeasonalProfile | undefined)[] {
  if (value === undefined) return Array.from({ length: C }, () => undefined);
  if (!Array.isArray(value) || value.length !== C) throw fail(file, `'seasonal' must be a list of ${C} entries (null or {period, acf, profile, scale})`);
  return value.map((entry: unknown, c) => {
    if (entry === null) return undefined;
    const e = (entry ?? {}) as Record<string, unknown>;
    const period = positiveInteger(file, e.period, `seasonal.${c}.period`);
    if (typeof e.acf !== 'number') throw fail(file, `'seasonal.${c}.acf' must be a number`);
    const scale = numbers(file, e.scale, `seasonal.${c}.scale`, period);
    if (!scale.every((v) => v > 0)) throw fail(file, `'seasonal.${c}.scale' must hold positive numbers`);
    return { period, acf: e.acf, scale: Float64Array.from(scale), profile: Float64Array.from(numbers(file, e.profile, `seasonal.${c}.profile`, period)) };
  });
}

/** The file's JSON, checked to be a gateflow anomaly model of a version this gateflow reads. */
function modelHeader(text: string, file: string): Record<string, unknown> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw fail(file, `not JSON (${clipText((error as Error).message, 200)})`);
  }
  if (!raw || typeof raw !== 'object' || raw.format !== MODEL_FORMAT) throw fail(file, `not a gateflow anomaly model (expected "format": "${MODEL_FORMAT}")`);
  if (!READABLE_VERSIONS.includes(raw.version)) throw fail(file, `model version ${String(raw.version)} is not supported (this gateflow reads versions 1 to ${MODEL_VERSION})`);
  return raw;
}

/** 'params' as tensors by name, each {shape, data} checked. */
function paramsOf(file: string, rawParams: unknown): Map<string, Tensor> {
  const params = new Map<string, Tensor>();
  if (!rawParams || typeof rawParams !== 'object') throw fail(file, "'params' must map parameter names to {shape, data}");
  for (const [name, value] of Object.entries(rawParams as Record<string, { shape?: unknown; data?: unknown }>)) {
    const shape = numbers(file, value?.shape, `params.${name}.shape`);
    if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw fail(file, `'params.${clipText(name)}.shape' must be a list of non-negative integers`);
    const size = sizeOf(shape);
    params.set(name, tensor(numbers(file, value?.data, `params.${name}.data`, size), shape));
  }
  return params;
}

/** restorePredictor, its engine and detector errors naming the model file. */
function restoreIn(file: string, graph: CellGraph, C: number, hidden: number, params: ReadonlyMap<string, Tensor>): ReturnType<typeof restorePredictor> {
  try {
    return restorePredictor(graph, C, hidden, params);
  } catch (error) {
    // The engine's and the detector's messages do not know the file; the user needs it.
    if (error instanceof GateflowError && !(error instanceof CellError) && !error.message.startsWith(file)) throw fail(file, error.message);
    throw error;
  }
}

/** Reads a model written by modelToJson; every defect is an InputError naming the file. */
export function modelFromJson(text: string, file: string): { model: TrainedModel; cell: CellSource } {
  const raw = modelHeader(text, file);
  const cellRaw = raw.cell as { file?: unknown; source?: unknown } | undefined;
  if (!cellRaw || typeof cellRaw.source !== 'string' || typeof cellRaw.file !== 'string') throw fail(file, "'cell' must hold the cell's 'file' and 'source'");
  const cell: CellSource = { file: cellRaw.file, text: cellRaw.source };
  const graph = parseCell(cell.text, { file: `${file} (cell ${cell.file})` });
  if (!Array.isArray(raw.channels) || raw.channels.length === 0 || raw.channels.some((c) => typeof c !== 'string')) throw fail(file, "'channels' must be a list of column names");
  const channels = raw.channels as string[];
  const C = channels.length;
  const hidden = positiveInteger(file, raw.hidden, 'hidden');
  const window = positiveInteger(file, raw.window, 'window');
  const smooth = positiveInteger(file, raw.smooth, 'smooth');
  const horizon = raw.horizon === undefined ? 1 : positiveInteger(file, raw.horizon, 'horizon');
  // Files before version 3 scored against the fit part's scale only.
  const localScale = raw.localScale === undefined ? 0 : raw.localScale === 0 ? 0 : positiveInteger(file, raw.localScale, 'localScale');
  // Files before version 4 read the values themselves.
  const levelWindow = raw.levelWindow === undefined || raw.levelWindow === 0 ? 0 : positiveInteger(file, raw.levelWindow, 'levelWindow');
  if (typeof raw.threshold !== 'number') throw fail(file, "'threshold' must be a number");
  // Files before version 5, and models without a level window or with the alarm off, have no level alarm.
  if (raw.levelThreshold !== undefined && !(typeof raw.levelThreshold === 'number' && raw.levelThreshold > 0)) throw fail(file, "'levelThreshold' must be a positive number");
  if (raw.levelThreshold !== undefined && levelWindow === 0) throw fail(file, "'levelThreshold' needs a 'levelWindow' (the level alarm reads the level against it)");
  const standardisation = (raw.standardisation ?? {}) as Record<string, unknown>;
  const error = (raw.error ?? {}) as Record<string, unknown>;
  const predictor = restoreIn(file, graph, C, hidden, paramsOf(file, raw.params));
  return {
    cell,
    model: {
      predictor,
      channels,
      window,
      horizon,
      smooth,
      localScale,
      levelWindow,
      threshold: raw.threshold,
      ...(raw.levelThreshold !== undefined ? { levelThreshold: raw.levelThreshold as number } : {}),
      mean: Float64Array.from(numbers(file, standardisation.mean, 'standardisation.mean', C)),
      std: Float64Array.from(numbers(file, standardisation.std, 'standardisation.std', C)),
      errorMean: Float64Array.from(numbers(file, error.mean, 'error.mean', C)),
      errorStd: Float64Array.from(numbers(file, error.std, 'error.std', C)),
      seasonal: seasonalOf(file, raw.seasonal, C),
    },
  };
}
