// The twelve loaders the fuzzer drives, each with valid seeds (shipped files and inputs made
// by the project's own writers) and the whole path a CLI run takes from bytes to a usable
// value: decode, then interpret (a cell is parsed and traced, weights are fitted to a cell).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** FUZZ_DIST points the fuzzer at another build (an older commit's, to see what it finds there). */
const distDir = process.env.FUZZ_DIST ?? join(root, 'dist');
const dist = (path) => import(join(distDir, path));
const [io, cellStage, traceStage, diagramTheme, vaeModel, anomaly, random, errors, seriesModule, seriesClean, hdf5, outputsModule, npy, nabWindows, seriesFolder] = await Promise.all([
  dist('io/index.js'), dist('cell/index.js'), dist('trace/index.js'), dist('diagram/theme.js'),
  dist('train/vae/model.js'), dist('train/anomaly/index.js'), dist('random.js'), dist('errors.js'), dist('io/series.js'),
  dist('io/series-clean.js').catch(() => undefined), dist('io/hdf5.js'), dist('io/outputs.js'), dist('io/npy.js'),
  dist('io/nab-windows.js'), dist('io/series-folder.js'),
]);
const { GateflowError, InputError } = errors;

/** Runs a later stage only when it makes sense; a typed refusal there is as good as one earlier. */
function typedOr(run) {
  try {
    return run();
  } catch (error) {
    if (error instanceof GateflowError) return undefined;
    throw error;
  }
}
const { parseCell, toText } = cellStage;
const cells = new Map();
const { createRandom } = random;
const onnxSchema = createRequire(join(root, 'package.json'))('onnx-proto').onnx;

// Sorted: a seed's place in the list picks it, so the order must not depend on the file system.
const shippedCells = () => readdirSync(io.CELLS_DIR).filter((f) => f.endsWith('.cell')).sort().map((f) => readFileSync(join(io.CELLS_DIR, f), 'utf8'));
/**
 * Statements deeper than mathjs alone can parse: 400 nested brackets (right-nested sums
 * inside) and 400 nested calls, and a 600-term sum; a long run (`npm run fuzz`, the child's
 * --long) uses the sizes of issue 12, 2,000 and 4,000, which would take the quick run past its time.
 */
const deepCells = (long) => {
  const [depth, terms] = long ? [2000, 4000] : [400, 600];
  const header = 'cell: deep\ninput: x\nstate: h [input]\n';
  const sum = Array.from({ length: terms }, (_, k) => `${(k % 7) / 8} x`).join(' + ');
  const nested = `${'(x + '.repeat(depth)}0.5 h_prev${')'.repeat(depth)}`;
  return [`${header}h = 0.5 h_prev + ${sum}\n`, `${header}h = ${nested}\n`, `${header}h = ${'tanh('.repeat(depth)}x + h_prev${')'.repeat(depth)}\n`];
};
const shippedThemes = () => readdirSync(io.THEMES_DIR).sort().map((f) => readFileSync(join(io.THEMES_DIR, f), 'utf8'));
const text = (s) => ({ kind: 'text', value: s });
const bytes = (b) => ({ kind: 'bytes', value: b });
const cellOf = (name) => {
  if (!cells.has(name)) cells.set(name, parseCell(readFileSync(join(io.CELLS_DIR, `${name}.cell`), 'utf8'), { file: `${name}.cell` }));
  return cells.get(name);
};

function weightsFor(name, hidden = 2, input = 3) {
  return traceStage.initWeights(cellOf(name), { hidden, input }, 1);
}

function onnxSeeds() {
  const model = (op, G, extra = {}, attributes = {}) => {
    const H = 2, I = 3;
    const fill = (n, k) => Array.from({ length: n }, (_, i) => ((i * 7 + k) % 11) / 10 - 0.5);
    return io.encodeOnnxModel({
      node: { opType: op, name: `${op.toLowerCase()}0`, inputs: ['X', 'W', 'R', 'B', '', 'initial_h', ...(op === 'LSTM' ? ['', 'P'] : [])].slice(0, op === 'LSTM' && extra.P ? 8 : 6), outputs: ['Y', 'Y_h'], attributes: { hidden_size: H, ...attributes } },
      initializers: {
        W: { dims: [1, G * H, I], data: fill(G * H * I, 1) },
        R: { dims: [1, G * H, H], data: fill(G * H * H, 2) },
        B: { dims: [1, 2 * G * H], data: fill(2 * G * H, 3) },
        initial_h: { dims: [1, 1, H], data: fill(H, 4) },
        ...(extra.P ? { P: { dims: [1, 3 * H], data: fill(3 * H, 5) } } : {}),
      },
      graphInputs: ['X'],
    });
  };
  return [
    model('RNN', 1), model('GRU', 3, {}, { linear_before_reset: 1 }), model('GRU', 3), model('LSTM', 4),
    model('LSTM', 4, { P: true }), model('RNN', 1, {}, { activations: ['Tanh'], direction: 'forward' }),
  ];
}

/** Structural ONNX mutation: decode with the schema, change a dim, type, attribute or payload, encode. */
function mutateOnnx(seed, r) {
  const m = onnxSchema.ModelProto.decode(seed);
  const tensors = m.graph.initializer;
  const t = tensors[r.int(tensors.length)];
  const node = m.graph.node[m.graph.node.length - 1];
  const T = onnxSchema.AttributeProto.AttributeType;
  switch (r.int(7)) {
    case 0: t.dims[r.int(t.dims.length)] = [0, 100000, 2 ** 31, -1, 3][r.int(5)]; break;
    case 1: t.dims = [1, 100000, 100000]; break;
    case 2: t.dataType = [0, 2, 7, 8, 10, 11, 16, 99][r.int(8)]; break;
    case 3: t.rawData = t.rawData.subarray(0, r.int(t.rawData.length + 1)); break;
    case 4: { const a = node.attribute[r.int(node.attribute.length)]; if (a) { a.type = [T.INTS, T.TENSOR, T.FLOAT, T.STRINGS, T.GRAPH, 99][r.int(6)]; a.ints = [1, 2]; } break; }
    case 5: node.attribute.push({ name: ['activations', 'direction', 'clip', 'layout', 'linear_before_reset', 'hidden_size'][r.int(6)], type: [T.INTS, T.TENSOR, T.STRING, T.FLOAT, T.STRINGS][r.int(5)], ints: [7], s: new TextEncoder().encode('reverse'), f: 2.5, strings: [new TextEncoder().encode('Relu')] }); break;
    default: node.input[r.int(node.input.length)] = ['', 'W', 'nope', 'X'][r.int(4)];
  }
  return onnxSchema.ModelProto.encode(m).finish();
}

/** Structural safetensors mutation: mutate the header as JSON and write it back with its new length. */
function mutateSafetensorsHeader(seed, r, mutateText) {
  const n = Number(new DataView(seed.buffer, seed.byteOffset).getBigUint64(0, true));
  const header = new TextDecoder().decode(seed.subarray(8, 8 + n));
  const next = new TextEncoder().encode(mutateText(header, r, true));
  const out = new Uint8Array(8 + next.length + seed.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(next.length), true);
  out.set(next, 8);
  out.set(seed.subarray(8 + n), 8 + next.length);
  return out;
}

function anomalySeeds() {
  return ['rnn', 'gru', 'lstm'].map((name) => {
    const source = readFileSync(join(io.CELLS_DIR, `${name}.cell`), 'utf8');
    const predictor = anomaly.createPredictor(parseCell(source, { file: name }), 2, 3, createRandom(2));
    const C = Float64Array.of(0.5, -0.5);
    return anomaly.modelToJson({ predictor, channels: ['a', 'b'], window: 8, horizon: 1, smooth: 2, mean: C, std: Float64Array.of(1, 2), seasonal: [undefined, { period: 3, acf: 0.8, profile: Float64Array.of(0.5, -1, 0.25), scale: Float64Array.of(1, 0.5, 2) }], errorMean: C, errorStd: Float64Array.of(1, 1), threshold: 3 }, { file: name, text: source });
  });
}

const dataCsv = 'a,b,c,label\n0.1,0.2,0.3,1\n0.4,0.5,0.6,0\n0.7,0.8,0.9,1\n';
// The first 150 rows of a synthetic labelled series, as `rnn synth` writes it.
const series = anomaly.seriesToCsv(anomaly.synthSeries({ seed: 3 })).split('\n').slice(0, 151).join('\n');

/** Keras weights files as Keras writes them: Keras 3 layout from toKeras, and a legacy tf.keras 2 .h5 with its model_config. */
const kerasSeeds = await Promise.all([
  ...['gru', 'gru-cho', 'lstm', 'rnn'].map((name) => {
    const model = { cell: name, weights: weightsFor(name), framework: 'json', recurrentActivation: 'sigmoid', source: name };
    const file = traceStage.toKeras(model);
    return hdf5.encodeHdf5(file.datasets, file.attributes);
  }),
  (() => {
    const H = 2, I = 3;
    const config = JSON.stringify({ class_name: 'Sequential', config: { layers: [{ class_name: 'GRU', config: { name: 'gru', reset_after: false, recurrent_activation: 'hard_sigmoid', activation: 'tanh' } }] } });
    const fill = (n) => Array.from({ length: n }, (_, i) => ((i * 5) % 7) / 7 - 0.5);
    return hdf5.encodeHdf5([
      ['model_weights/gru/gru/kernel:0', { shape: [I, 3 * H], data: fill(3 * H * I) }],
      ['model_weights/gru/gru/recurrent_kernel:0', { shape: [H, 3 * H], data: fill(3 * H * H) }],
      ['model_weights/gru/gru/bias:0', { shape: [3 * H], data: fill(3 * H) }],
    ], { model_config: config, keras_version: '2.4.0' });
  })(),
]);

/**
 * NAB-style labelled series as real exports write them (issue 13): LF and CRLF, a byte-order
 * mark and quotes, ISO times with T and Z, epoch seconds (also decimal) and milliseconds (also
 * newest first), no label column, semicolons, an extra column, integer CPU values and huge negative ones.
 */
function labelledSeeds() {
  const rows = Array.from({ length: 24 }, (_, t) => ({ time: Date.UTC(2015, 0, 1) + t * 300_000, value: [3, 4, 3, 3, 50, 3][t % 6], label: t >= 12 && t < 18 ? 1 : 0 }));
  const nab = (ms) => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
  const csv = (header, row, eol = '\n') => [header, ...rows.map(row)].join(eol) + eol;
  return [
    csv('timestamp,value,label', (r) => `${nab(r.time)},${r.value},${r.label}`),
    csv('timestamp,value,label', (r) => `${nab(r.time)},${r.value * 1e9 - 4e10},${r.label}`, '\r\n'),
    `\ufeff${csv('"timestamp","value","label"', (r) => `"${nab(r.time)}","${r.value}.5","${r.label}"`)}`,
    csv('timestamp,value,label', (r) => `${new Date(r.time).toISOString().replace('.000', '')},${r.value},${r.label}`),
    csv('timestamp,value,label', (r) => `${r.time / 1000},${r.value},${r.label}`),
    csv('timestamp,value', (r) => `${nab(r.time)},${r.value}`),
    csv('timestamp;value;label;host', (r) => `${nab(r.time)};${r.value};${r.label};${r.value % 2}`),
    // Epoch milliseconds, newest first (a CloudWatch export), and decimal epoch seconds (Prometheus).
    csv('Timestamp,value', (r) => `${Date.UTC(2015, 0, 2) - (r.time - Date.UTC(2015, 0, 1))},${r.value}`),
    csv('time,value,label', (r) => `${(r.time / 1000).toFixed(3)},${r.value},${r.label}`),
    // Epoch nanoseconds (beyond 2^53), a column of dates found by its content, missing timestamps, a date-only column.
    csv('timestamp,value,label', (r) => `${BigInt(r.time) * 1_000_000n},${r.value},${r.label}`),
    csv('value,recorded,label', (r) => `${r.value},${nab(r.time)},${r.label}`),
    csv('timestamp,value,label', (r) => `${r.time % 3_600_000 === 0 ? 'NA' : nab(r.time)},${r.value},${r.label}`),
    csv('date,value,label', (r) => `${nab(r.time).slice(0, 10)},${r.value},${r.label}`),
  ];
}

/** What the benchmark relies on in a series that loaded: one label and timestamp per step, finite values. */
function checkLoaded(series) {
  const { length, channels, values, labels, timestamps } = series;
  if (values.length !== length * channels.length) throw new Error(`${values.length} values for ${length} steps × ${channels.length} channels`);
  if (labels && (labels.length !== length || labels.some((l) => l !== 0 && l !== 1))) throw new Error('labels are not one 0/1 per step');
  if (timestamps && timestamps.length !== length) throw new Error(`${timestamps.length} timestamps for ${length} steps`);
  if (values.some((v) => !Number.isFinite(v))) throw new Error('a value is not finite after interpolation');
  // The timestamp column carried from decoding (io's SeriesTable.time): one finite time per step, in order once repaired.
  const { time } = series;
  if (Boolean(time) !== Boolean(timestamps)) throw new Error('timestamps without their column, or a column without timestamps');
  const times = !time || time.kind === 'text' ? [] : time.kind === 'number' ? time.values : time.ms;
  if (time && time.kind !== 'text' && times.length !== length) throw new Error(`${times.length} times for ${length} steps`);
  if (times.some((t, i) => !Number.isFinite(t) || (i > 0 && t < times[i - 1]))) throw new Error('a time is missing or out of order after the repairs');
  return series;
}

const NAB_JSON = '{\n  "realKnownCause/a.csv": [\n    ["2015-01-01 01:00:00.000000", "2015-01-01 01:25:00.000000"]\n  ],\n  "realKnownCause/b.csv": []\n}\n';

/**
 * Folders as JSON (path → text): a NAB checkout, and a plain folder with odd entries. A mutant
 * is written to a fresh temporary folder (paths kept inside it) and read as `rnn benchmark
 * --data` does: a whole-folder refusal is typed, each series loads or is skipped with a typed error.
 */
function folderSeeds() {
  const [plain, , quoted, , epoch, unlabelled] = labelledSeeds();
  return [
    JSON.stringify({ 'labels/combined_windows.json': NAB_JSON, 'data/realKnownCause/a.csv': unlabelled, 'data/realKnownCause/b.csv': unlabelled, 'data/README.md': 'x', 'results/x/y.csv': plain }),
    JSON.stringify({ 'a.csv': plain, 'sub/b.csv': quoted, 'sub/deep/c.csv': epoch, 'notes.txt': 'x', 'empty.csv': '' }),
  ];
}

function materialise(json, dir) {
  let files;
  try {
    files = JSON.parse(json);
  } catch (error) {
    throw new InputError(`folder.json: not valid JSON (${error.message})`);
  }
  if (files === null || typeof files !== 'object' || Array.isArray(files)) throw new InputError('folder.json: expected an object of path → text');
  for (const [path, text] of Object.entries(files)) {
    // Keep every path inside the folder: plain segments only.
    const segments = path.split('/').map((p) => p.replace(/[^A-Za-z0-9_.-]/g, '_')).filter((p) => p !== '' && p !== '.' && p !== '..').slice(0, 6);
    if (segments.length === 0) continue;
    const target = join(dir, ...segments);
    try {
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, typeof text === 'string' ? text : JSON.stringify(text));
    } catch {
      // A path that clashes with one written before (a file where a folder is): left out.
    }
  }
}

/** name → { seeds({ long }), load(input), structured?(seed, random, mutateText) } */
export { GateflowError, createRandom };

export const LOADERS = {
  cell: {
    seeds: ({ long }) => [...shippedCells(), ...deepCells(long)].map(text),
    load: (s) => {
      const graph = parseCell(s, { file: 'fuzz.cell' });
      toText(graph);
      return traceStage.trace(graph, undefined, [[1, 0], [0, 1]], { sizes: Object.fromEntries(graph.dims.map((d) => [d, 2])) });
    },
  },
  theme: { seeds: () => shippedThemes().map(text), json: true, load: (s) => diagramTheme.parseTheme(s, 'fuzz.json') },
  sequence: {
    seeds: () => ['[[1, 0], [0, 1], [-1, 0.5]]', '[[[1, 0], [0, -1]], [[0, 1], [2, 0]]]', 'x,y\n1,0\n0,1\n-1,0.5\n', '[0.1, 0.2]', '[[0.1, 0.2], [0.3, 0.4]]'].map(text),
    json: true,
    load: (s) => {
      // As the CLI: --input (JSON or CSV, told by the text), then --h0 as a state.
      typedOr(() => {
        const sequence = io.decodeSequence(s, 'seq.json');
        return traceStage.trace(cellOf('gru'), undefined, sequence.steps.slice(0, 4), { sizes: { hidden: 2 } });
      });
      return io.decodeStateJson(s, 'h0.json');
    },
  },
  series: {
    seeds: () => [series, 'timestamp,value,label\n2014-04-01 00:00:00,1.5,0\n2014-04-01 00:05:00,2.5,1\n2014-04-01 00:10:00,1.0,0\n', 'time;x;y\n1;2;3\n2;3;4\n'].map(text),
    load: (s) => {
      // As `rnn detect`: decode (the timestamp column read once), repair (sort, merge, fill gaps on a grid), then the time axis and step from the column carried.
      const options = { missing: 'interpolate', resample: true };
      const { series: cleaned } = seriesClean.cleanSeries(io.decodeSeriesCsv(s, 's.csv', options), options);
      checkLoaded(cleaned);
      if (cleaned.timestamps) seriesModule.timeAxisOf(cleaned.timestamps, cleaned.time);
      io.timeStepOf(cleaned.time);
      return cleaned;
    },
  },
  'labelled-series': {
    seeds: () => labelledSeeds().map(text),
    load: (s) => {
      // As `rnn benchmark --data` reads one file: missing values interpolated, duplicates averaged, then NAB's windows on an unlabelled one.
      const options = { missing: 'interpolate', duplicates: 'mean' };
      const { series } = seriesClean.cleanSeries(io.decodeSeriesCsv(s, 'l.csv', options), options);
      checkLoaded(series);
      return series.labels ? series : checkLoaded(nabWindows.labelFromWindows(series, nabWindows.decodeNabWindows(NAB_JSON, 'w.json').get('realKnownCause/a.csv')));
    },
  },
  'series-folder': {
    seeds: () => folderSeeds().map(text),
    json: true,
    load: (s) => {
      const dir = mkdtempSync(join(tmpdir(), 'gateflow-fuzz-folder-'));
      try {
        materialise(s, dir);
        const folder = seriesFolder.readSeriesFolder(dir, { missing: 'interpolate', duplicates: 'mean' });
        let loaded = 0;
        for (const entry of folder.entries) loaded += typedOr(() => checkLoaded(entry.load())) ? 1 : 0;
        return loaded;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
  dataset: {
    seeds: () => [dataCsv, '[[0.1, 0.2], [0.3, 0.4]]', '[{"x": [0.1, 0.2], "label": 1}, {"x": [0.5, 0.6], "label": 0}]'].map(text),
    json: true,
    load: (s) => (s.trimStart().startsWith('[') ? io.decodeJsonRows(s, { file: 'd.json', range: 'real' }) : io.decodeCsvRows(s, { file: 'd.csv', range: 'real' })),
  },
  'json-weights': {
    seeds: () => ['gru', 'lstm', 'rnn'].map((name) => text(traceStage.weightsToJson(weightsFor(name)))),
    json: true,
    load: (s) => {
      const decoded = io.decodeWeightsFile(new TextEncoder().encode(s), 'w.json');
      const cell = decoded.tensors.has('W_ii') ? 'lstm' : decoded.tensors.has('W_ir') ? 'gru' : 'rnn';
      return traceStage.fromNamedTensors(cellOf(cell), decoded.tensors, { source: 'w.json' });
    },
  },
  safetensors: {
    seeds: () => ['gru', 'lstm', 'rnn'].map((name) => bytes(io.encodeSafetensors([...traceStage.toPyTorch(cellOf(name), weightsFor(name))], { dtype: 'F32' }))),
    structured: mutateSafetensorsHeader,
    load: (b) => {
      const decoded = io.decodeWeightsFile(b, 'w.safetensors');
      // The cell the state_dict is for, by its gate count (rows of weight_hh_l0 per hidden unit).
      const [rows, columns] = decoded.tensors.get('weight_hh_l0')?.shape ?? [];
      const cell = { 1: 'rnn', 3: 'gru', 4: 'lstm' }[rows / columns] ?? 'gru';
      return traceStage.fromNamedTensors(cellOf(cell), decoded.tensors, { source: 'w.safetensors' });
    },
  },
  onnx: {
    seeds: () => onnxSeeds().map(bytes),
    structured: mutateOnnx,
    load: (b) => {
      const model = io.decodeOnnx(b, 'm.onnx');
      const info = traceStage.inspectOnnx(model);
      return traceStage.fromOnnx(model, cellOf(info.cell));
    },
  },
  'vae-model': {
    seeds: () => ['bernoulli', 'gaussian'].map((likelihood) => text(JSON.stringify(vaeModel.toJsonModel(vaeModel.createVae({ input: 6, hidden: 4, latent: 2, beta: 1, likelihood }, createRandom(1)))))),
    json: true,
    load: (s) => {
      // As `vae imbalance --model`: JSON.parse (its error is the CLI's InputError), then the model.
      let json;
      try {
        json = JSON.parse(s);
      } catch (error) {
        throw new InputError(`m.json: not valid JSON (${error.message})`);
      }
      return vaeModel.fromJsonModel(json, 'm.json');
    },
  },
  'rnn-model': { seeds: () => anomalySeeds().map(text), json: true, load: (s) => anomaly.modelFromJson(s, 'm.json') },
  keras: {
    seeds: () => kerasSeeds.map(bytes),
    // As `check`/`convert`: the HDF5 file decoded (h5wasm), then the one recurrent layer mapped onto its cell.
    load: async (b) => traceStage.fromKeras(await hdf5.decodeHdf5(b, 'k.h5')),
  },
  outputs: {
    seeds: () => [
      bytes(npy.encodeNpy([3, 2], [0.1, -0.2, 0.3, 0.4, -0.5, 0.6], '<f4')),
      bytes(npy.encodeNpy([2, 1, 1, 2], [0.1, -0.2, 0.3, 0.4])),
      bytes(new TextEncoder().encode('{"h": [[0.1, 0.2], [0.3, 0.4]], "c": [[1, 2], [3, 4]]}')),
      bytes(new TextEncoder().encode('[[[0.1, 0.2]], [[0.3, 0.4]]]')),
    ],
    // As `check` reads saved outputs: decoded (.npy or JSON), then cut into steps.
    load: (b) => traceStage.runFromOutputs(outputsModule.decodeOutputs(b, 'y.npy'), 'y.npy'),
  },
};
