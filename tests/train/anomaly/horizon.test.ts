import { describe, expect, it } from 'vitest';
import { loadCell } from '../../../src/index.js';
import { Tape, tensor } from '../../../src/engine/index.js';
import { createRandom } from '../../../src/random.js';
import { createPredictor, detect, predictionErrors, synthSeries } from '../../../src/train/anomaly/index.js';
import { predictWindows } from '../../../src/train/anomaly/model.js';

/** The forecast of z[t] made `horizon` steps ahead, by running the tape path on a growing sequence. */
function forecastByHand(predictor: ReturnType<typeof createPredictor>, z: Float64Array, t: number, window: number, horizon: number, C: number): number[] {
  const sequence: number[][] = [];
  for (let s = t - horizon + 1 - window; s < t - horizon + 1; s++) sequence.push(Array.from(z.subarray(s * C, (s + 1) * C)));
  let last: number[] = [];
  for (let step = 0; step < horizon; step++) {
    const tape = new Tape({ record: false });
    const vars = Object.fromEntries(predictor.params.map((p) => [p.name, tape.param(p)]));
    const xs = tensor(sequence.map((row) => [row]));
    const predictions = predictWindows(tape, predictor, vars, xs);
    last = Array.from(predictions[predictions.length - 1]!.value.data);
    sequence.push(last);
  }
  return last;
}

describe('predictionErrors', () => {
  it.each([1, 4])('with horizon %i matches a free-running forecast computed on the tape (1e-12), for gru on 2 channels', (horizon) => {
    const C = 2;
    const window = 6;
    const predictor = createPredictor(loadCell('gru'), C, 5, createRandom(3));
    const random = createRandom(4);
    const length = 20;
    const z = Float64Array.from({ length: length * C }, () => random.normal());
    const errors = predictionErrors(predictor, z, length, window, horizon, 4);
    const first = window + horizon - 1;
    expect(Array.from(errors.subarray(0, first * C)).every(Number.isNaN)).toBe(true);
    for (const t of [first, first + 3, length - 1]) {
      const forecast = forecastByHand(predictor, z, t, window, horizon, C);
      for (let c = 0; c < C; c++) expect(Math.abs(z[t * C + c]! - forecast[c]! - errors[t * C + c]!)).toBeLessThan(1e-12);
    }
  });

  it('detect(horizon 3) scores from step window + horizon + smooth − 2 on and keeps the horizon in its model', () => {
    const series = synthSeries({ seed: 2, length: 600, period: 20, count: 1, kinds: ['flat'] });
    const result = detect(series, { cell: loadCell('rnn'), hidden: 4, window: 20, horizon: 3, smooth: 2, epochs: 1 });
    expect(Number.isNaN(result.rnn.scores[22])).toBe(true);
    expect(Number.isFinite(result.rnn.scores[23])).toBe(true);
    expect(result.model.horizon).toBe(3);
    expect(() => detect(series, { cell: loadCell('rnn'), window: 20, horizon: 0 })).toThrow('--horizon must be a positive integer, found 0');
  });
});
