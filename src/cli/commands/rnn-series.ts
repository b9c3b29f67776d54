/** Shared by the rnn commands: reading a messy series (with warnings once), and the threshold rule from its options. */
import { InputError } from '../../errors.js';
import { fraction } from '../options.js';
import { warn } from '../output.js';

export const RNN_BAR_WIDTH = 28;

type SeriesColumns = import('../../io/series.js').SeriesColumns;
type CleanOptions = import('../../io/series-clean.js').CleanOptions;

export interface ReadOptions extends SeriesColumns, CleanOptions {
  /** Do not print the repairs (the benchmark reads many files). */
  readonly quiet?: boolean;
}

/** Reads a series CSV and repairs what cleanSeries repairs, printing each note once as a warning. */
export async function readCleanSeries(path: string, options: ReadOptions = {}): Promise<import('../../io/series.js').SeriesTable> {
  const { readSeries } = await import('../../io/series.js');
  const { cleanSeries } = await import('../../io/series-clean.js');
  const { series, notes } = cleanSeries(readSeries(path, options), options);
  if (!options.quiet) for (const note of notes) warn(note);
  return series;
}

/** The threshold rule from --threshold-rule, --risk, --robust-k and --quantile (which alone selects the quantile rule). */
export function thresholdRuleOf(args: { 'threshold-rule': string; risk: number; 'robust-k': number; quantile?: number | undefined }): import('../../train/anomaly/index.js').ThresholdOptions {
  const rule = args.quantile !== undefined ? 'quantile' : args['threshold-rule'];
  if (rule === 'quantile') {
    const q = args.quantile ?? 1;
    if (!(q >= 0 && q <= 1)) throw new InputError(`--quantile must lie in [0, 1], got ${q}`);
    return { rule, quantile: q };
  }
  if (rule === 'pot') return { rule, risk: fraction(args.risk, 'risk') };
  if (rule === 'robust') {
    if (!(args['robust-k'] > 0)) throw new InputError(`--robust-k must be a positive number, got ${args['robust-k']}`);
    return { rule, k: args['robust-k'] };
  }
  return { rule: 'max' };
}

