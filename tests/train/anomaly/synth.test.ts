import { describe, expect, it } from 'vitest';
import { decodeSeriesCsv } from '../../../src/io/series.js';
import { loadCell } from '../../../src/index.js';
import { ANOMALY_KINDS, createPredictor, detect, modelFromJson, modelToJson, predictionErrors, runsOf, seriesToCsv, synthSeries } from '../../../src/train/anomaly/index.js';
import { createRandom } from '../../../src/random.js';

describe('synthSeries', () => {
  it('is reproducible from its seed and labels exactly the injected segments, all after the normal part', () => {
    const a = synthSeries({ seed: 1 });
    const b = synthSeries({ seed: 1 });
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(a.anomalies).toEqual(b.anomalies);
    expect(a.anomalies.map((x) => x.kind).sort()).toEqual(ANOMALY_KINDS.flatMap((k) => [k, k, k]).sort());
    expect(runsOf(a.labels!)).toEqual(a.anomalies.map(({ start, end }) => ({ start, end })));
    expect(a.anomalies[0]!.start).toBeGreaterThanOrEqual(a.normalUntil + 60);
    for (let i = 1; i < a.anomalies.length; i++) expect(a.anomalies[i]!.start - a.anomalies[i - 1]!.end).toBeGreaterThanOrEqual(60);
    expect(synthSeries({ seed: 2 }).values[10]).not.toBe(a.values[10]);
  });

  it('a flat segment holds one level (up to noise) and a spike is a single point', () => {
    const flat = synthSeries({ seed: 4, kinds: ['flat'], noise: 0 });
    const seg = flat.anomalies[0]!;
    const values = Array.from(flat.values.slice(seg.start, seg.end));
    expect(Math.max(...values) - Math.min(...values)).toBe(0);
    const spikes = synthSeries({ seed: 4, kinds: ['spike'] });
    expect(spikes.anomalies.every((x) => x.end - x.start === 1)).toBe(true);
  });

  it('round-trips through CSV (6 significant digits)', () => {
    const s = synthSeries({ seed: 5, length: 1400, count: 1 });
    const back = decodeSeriesCsv(seriesToCsv(s), 's.csv');
    expect(back.channels).toEqual(['value']);
    expect(Array.from(back.labels!)).toEqual(Array.from(s.labels!));
    back.values.forEach((v, i) => expect(Math.abs(v - s.values[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
  });

  it('refuses more anomalies than fit', () => {
    expect(() => synthSeries({ seed: 1, length: 800, count: 5 })).toThrow('20 anomalies do not fit in 400 steps; use a longer series or fewer anomalies');
  });
});

describe('model file', () => {
  it('modelToJson → modelFromJson gives the same predictions and the same bytes', () => {
    const series = synthSeries({ seed: 2, length: 600, period: 20, count: 1, kinds: ['spike'] });
    const result = detect(series, { cell: loadCell('gru'), hidden: 4, window: 20, epochs: 1, seed: 3 });
    const cell = { file: 'templates/cells/gru.cell', text: 'ignored' };
    const text = modelToJson(result.model, { ...cell, text: loadCellText('gru') });
    const { model } = modelFromJson(text, 'm.json');
    expect(modelToJson(model, { ...cell, text: loadCellText('gru') })).toBe(text);
    const z = Float64Array.from(series.values, (v) => (v - model.mean[0]!) / model.std[0]!);
    const before = predictionErrors(result.model.predictor, z, series.length, 20);
    const after = predictionErrors(model.predictor, z, series.length, 20);
    expect(Array.from(after)).toEqual(Array.from(before));
    const again = detect(series, { cell: loadCell('gru'), model });
    expect(again.rnn.threshold).toBe(result.rnn.threshold);
    expect(again.history).toEqual([]);
  });

  it('rejects a file that is not a model, naming it', () => {
    expect(() => modelFromJson('{"format":"x"}', 'm.json')).toThrow('m.json: not a gateflow anomaly model (expected "format": "gateflow-anomaly-model")');
    expect(() => modelFromJson('{', 'm.json')).toThrow(/^m\.json: not JSON/);
    const predictor = createPredictor(loadCell('rnn'), 1, 2, createRandom(1));
    const text = modelToJson(
      { predictor, channels: ['v'], window: 5, horizon: 1, smooth: 1, mean: Float64Array.of(0), std: Float64Array.of(1), seasonal: [undefined], errorMean: Float64Array.of(0), errorStd: Float64Array.of(1), threshold: 2 },
      { file: 'rnn', text: loadCellText('rnn') },
    );
    const broken = JSON.parse(text);
    broken.params.W_hh.data.pop();
    expect(() => modelFromJson(JSON.stringify(broken), 'm.json')).toThrow("m.json: 'params.W_hh.data' has 3 numbers, expected 4");
  });
});

describe('drift', () => {
  it('warns when the scored part drifts far outside the fit range', () => {
    const base = synthSeries({ seed: 6, length: 800, period: 20, count: 1, kinds: ['spike'] });
    const values = base.values.map((v, t) => (t >= 400 ? v + 0.01 * (t - 400) : v));
    const warnings: string[] = [];
    const result = detect({ ...base, values }, { cell: loadCell('rnn'), hidden: 4, window: 20, epochs: 1, warn: (m) => warnings.push(m) });
    expect(result.drift[0]!.drifts).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /^hint: column 'value' is distributed differently in the scored part than in the fit part \(median shifted by \d+\.\d interquartile ranges, \d+% of the points outside the fit part's range\); the model learnt the fit part, so its scores may measure that change more than anomalies\. If the change is not itself what you look for, fit on more recent data \(--train\) or on differences of the series$/,
    );
    const quiet: string[] = [];
    detect(base, { cell: loadCell('rnn'), hidden: 4, window: 20, epochs: 1, warn: (m) => quiet.push(m) });
    expect(quiet).toEqual([]);
  });

  it('one labelled incident (a level shift over a tenth of the scored part) is not drift', () => {
    const base = synthSeries({ seed: 6, length: 800, period: 20, count: 1, kinds: ['spike'] });
    const values = base.values.map((v, t) => (t >= 600 && t < 640 ? v + 5 : v));
    const result = detect({ ...base, values }, { cell: loadCell('rnn'), hidden: 4, window: 20, epochs: 1 });
    expect(result.drift[0]!.drifts).toBe(false);
    expect(result.warnings.filter((w) => w.startsWith('hint'))).toEqual([]);
  });
});

import { readCell } from '../../../src/io/index.js';
function loadCellText(name: string): string {
  return readCell(name).text;
}
