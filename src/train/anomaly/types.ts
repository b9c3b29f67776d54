/**
 * train/anomaly: the plain data the detector reads and returns. A series is [length, channels]
 * row-major (the same shape io's CSV decoder produces), with optional timestamps, 0/1 labels
 * and the file lines its rows came from, so messages can point into the file.
 */

export interface Series {
  readonly channels: readonly string[];
  /** [length, channels] row-major. */
  readonly values: Float64Array;
  readonly length: number;
  readonly timestamps?: readonly string[];
  /** 1 where a point is a labelled anomaly. */
  readonly labels?: Uint8Array;
  readonly source?: { readonly file: string; readonly lines: Uint32Array };
}

/** A half-open range of time steps [start, end). */
export interface Segment {
  readonly start: number;
  readonly end: number;
}

/** Where a message about step `t` of a series should point: file:line, or "step t". */
export function locate(series: Series, t: number): string {
  if (series.source && t >= 0 && t < series.source.lines.length) return `${series.source.file}:${series.source.lines[t]}`;
  if (series.source) return series.source.file;
  return `step ${t}`;
}
