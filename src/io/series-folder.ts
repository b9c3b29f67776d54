/**
 * io: the labelled series of a folder, as `rnn benchmark --data` reads them: listSeriesFolder's
 * CSV files (subfolders, a NAB checkout's data/ labelled from labels/combined_windows.json),
 * each decoded and repaired (cleanSeries) only when its turn comes, so one bad file is that
 * file's error, not the folder's.
 */
import { InputError } from '../errors.js';
import { listSeriesFolder, readText } from './fs.js';
import { decodeNabWindows, labelFromWindows } from './nab-windows.js';
import { cleanSeries, type CleanOptions } from './series-clean.js';
import { readSeries, type SeriesColumns, type SeriesTable } from './series.js';

export interface FolderEntry {
  /** The path below the folder without '.csv', '/' written '__'. */
  readonly name: string;
  readonly path: string;
  /** Reads, repairs and (from NAB's windows, when it has no label column) labels the series; throws a GateflowError naming the file. */
  load(): SeriesTable;
}

export interface FolderSeries {
  readonly entries: readonly FolderEntry[];
  /** Entries of the folder that are not series, each as "path (why)". */
  readonly ignored: readonly string[];
}

/**
 * The series of `dir` whose file names (with '.csv') contain one of `only` (all when absent);
 * refuses a folder with none. Each series is read with `options` (the benchmark interpolates
 * missing values and averages duplicate timestamps) and its repair notes are dropped.
 */
export function readSeriesFolder(dir: string, options: SeriesColumns & CleanOptions = {}, only?: readonly string[]): FolderSeries {
  const folder = listSeriesFolder(dir);
  const files = folder.files.filter((f) => !only || only.some((o) => `${f.name}.csv`.includes(o)));
  if (files.length === 0) throw new InputError(`data folder '${dir}' holds no .csv file${only ? ` whose name contains ${only.map((o) => `'${o}'`).join(' or ')}` : ''}`);
  const windowsFile = folder.nabWindows;
  const windows = windowsFile ? decodeNabWindows(readText(windowsFile, 'NAB windows file'), windowsFile) : undefined;
  const entries = files.map((f) => ({
    name: f.name,
    path: f.path,
    load: () => {
      const { series } = cleanSeries(readSeries(f.path, options), options);
      if (series.labels || !windows) return series;
      const own = windows.get(f.relative);
      if (!own) throw new InputError(`${f.path}: no label column, and ${windowsFile} has no entry '${f.relative}'`);
      return labelFromWindows(series, own);
    },
  }));
  return { entries, ignored: folder.ignored };
}
