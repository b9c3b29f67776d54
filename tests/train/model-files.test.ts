// Saved models as a hostile file would be (issue 12): sizes claimed by the file are checked
// against the data it holds before anything is allocated, wrong types are named, and every
// message names the file.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { CELLS_DIR } from '../../src/io/index.js';
import { parseCell } from '../../src/cell/index.js';
import { createRandom } from '../../src/random.js';
import { createPredictor, modelFromJson, modelToJson, type TrainedModel } from '../../src/train/anomaly/index.js';
import { createVae, fromJsonModel, toJsonModel } from '../../src/train/vae/model.js';
import { errorOf } from '../expect.js';

describe('VAE model file', () => {
  const saved = () => JSON.parse(JSON.stringify(toJsonModel(createVae({ input: 4, hidden: 3, latent: 2, beta: 1, likelihood: 'bernoulli' }, createRandom(4)))));

  it('refuses "input": 100000000 from the tensors it holds, before allocating the model', () => {
    const json = saved();
    json.config.input = 100_000_000;
    const before = process.memoryUsage().arrayBuffers;
    expect(errorOf(() => fromJsonModel(json, 'm.json')).message).toBe("m.json: parameter 'encW' has shape [4, 3], expected [100000000, 3]");
    // Nothing near 100000000 × 3 float32 values (1.2 GB) was allocated.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50e6);
  });

  it('names a shape that is not an array, a config that is not a positive integer and a non-number value', () => {
    const notArray = saved();
    notArray.params.muB.shape = 2;
    expect(errorOf(() => fromJsonModel(notArray, 'm.json')).message).toBe("m.json: parameter 'muB' has shape 2, expected [2]");
    const fraction = saved();
    fraction.config.hidden = 2.5;
    expect(errorOf(() => fromJsonModel(fraction, 'm.json')).message).toBe('m.json: config.hidden must be a positive integer, found 2.5');
    const text = saved();
    text.params.muB.data = [0, 'x'];
    expect(errorOf(() => fromJsonModel(text, 'm.json')).message).toBe("m.json: parameter 'muB' holds a value that is not a finite number");
    expect(errorOf(() => fromJsonModel([1], 'm.json')).message).toBe('m.json: not a gateflow VAE model (expected "format": "gateflow-vae")');
  });

  it('still reads back a model it wrote', () => {
    const json = saved();
    // Stored as float32, as trained.
    expect(Array.from(fromJsonModel(json, 'm.json').params.muB.value.data)).toEqual(json.params.muB.data.map(Math.fround));
  });
});

describe('RNN anomaly model file', () => {
  const text = readFileSync(`${CELLS_DIR}/rnn.cell`, 'utf8');
  const predictor = createPredictor(parseCell(text, { file: 'rnn.cell' }), 1, 2, createRandom(1));
  const model: TrainedModel = {
    predictor, channels: ['value'], window: 8, horizon: 1, smooth: 1,
    mean: Float64Array.of(0), std: Float64Array.of(1), errorMean: Float64Array.of(0), errorStd: Float64Array.of(1), localScale: 200, levelWindow: 200, threshold: 3, levelThreshold: 2.5,
    seasonal: [{ period: 3, acf: 0.75, profile: Float64Array.of(0.1, -0.2, 1 / 3), scale: Float64Array.of(0.5, 0.25, 1e-2) }],
  };
  const saved = () => JSON.parse(modelToJson(model, { file: 'rnn', text }));
  const failure = (json: unknown) => errorOf(() => modelFromJson(JSON.stringify(json), 'm.json'));

  it('names the file when a parameter does not fit the cell', () => {
    const json = saved();
    json.params.W_hh = { shape: [1, 1], data: [0] };
    const error = failure(json);
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toBe("m.json: the model's parameter 'W_hh' has shape [1, 1], expected [2, 2]");
  });

  it('refuses "hidden": 100000 without allocating the cell\'s weights', () => {
    const json = saved();
    json.hidden = 100_000;
    // Located in the cell the file carries: its line 6, column 26 is W_hh.
    expect(failure(json).message).toBe("m.json (cell rnn):6:26: tensor 'W_hh' would hold 100000 × 100000 = 10000000000 values, more than the limit of 33554432 (is a size too large?)");
  });

  it('names a shape that is not a list of integers', () => {
    const json = saved();
    json.params.b_hh.shape = 'two';
    expect(failure(json).message).toBe("m.json: 'params.b_hh.shape' must be a list of numbers");
    json.params.b_hh.shape = [-2];
    expect(failure(json).message).toBe("m.json: 'params.b_hh.shape' must be a list of non-negative integers");
  });

  it('puts a JSON.parse message on one line', () => {
    expect(errorOf(() => modelFromJson('{\n  "format":\n}', 'm.json')).message).toBe(`m.json: not JSON (Unexpected token '}', "{\\n  "format":\\n}" is not valid JSON)`);
  });

  it('reads back the model it wrote, its seasonal profile exactly', () => {
    const loaded = modelFromJson(modelToJson(model, { file: 'rnn', text }), 'm.json');
    expect(loaded.model.predictor.params.map((p) => p.name)).toEqual(predictor.params.map((p) => p.name));
    expect(loaded.model.seasonal).toEqual(model.seasonal);
  });

  it('reads a version 1 file (no seasonal profiles) as having none; names a profile of the wrong length', () => {
    const old = saved();
    old.version = 1;
    delete old.seasonal;
    expect(modelFromJson(JSON.stringify(old), 'm.json').model.seasonal).toEqual([undefined]);
    const short = saved();
    short.seasonal[0].profile = [1, 2];
    expect(failure(short).message).toBe("m.json: 'seasonal.0.profile' has 2 numbers, expected 3");
    const zero = saved();
    zero.seasonal[0].scale = [1, 0, 1];
    expect(failure(zero).message).toBe("m.json: 'seasonal.0.scale' must hold positive numbers");
    const future = saved();
    future.version = 6;
    expect(failure(future).message).toBe('m.json: model version 6 is not supported (this gateflow reads versions 1 to 5)');
  });

  it('keeps the local scale (version 3); a version 2 file (none) scored against the fit part only; names a bad one', () => {
    expect(modelFromJson(JSON.stringify(saved()), 'm.json').model.localScale).toBe(200);
    const old = saved();
    old.version = 2;
    delete old.localScale;
    expect(modelFromJson(JSON.stringify(old), 'm.json').model.localScale).toBe(0);
    const bad = saved();
    bad.localScale = -3;
    expect(failure(bad).message).toBe("m.json: 'localScale' must be a positive integer");
  });

  it('keeps the level window (version 4); a version 3 file (none) reads the values themselves; names a bad one', () => {
    expect(modelFromJson(JSON.stringify(saved()), 'm.json').model.levelWindow).toBe(200);
    const old = saved();
    old.version = 3;
    delete old.levelWindow;
    delete old.levelThreshold;
    expect(modelFromJson(JSON.stringify(old), 'm.json').model.levelWindow).toBe(0);
    const bad = saved();
    bad.levelWindow = 2.5;
    expect(failure(bad).message).toBe("m.json: 'levelWindow' must be a positive integer");
  });

  it('keeps the level alarm\'s threshold (version 5); a version 4 file (none) has no level alarm; names a bad one', () => {
    expect(modelFromJson(JSON.stringify(saved()), 'm.json').model.levelThreshold).toBe(2.5);
    const old = saved();
    old.version = 4;
    delete old.levelThreshold;
    expect(modelFromJson(JSON.stringify(old), 'm.json').model.levelThreshold).toBeUndefined();
    const bad = saved();
    bad.levelThreshold = 0;
    expect(failure(bad).message).toBe("m.json: 'levelThreshold' must be a positive number");
    const noWindow = saved();
    noWindow.levelWindow = 0;
    expect(failure(noWindow).message).toBe("m.json: 'levelThreshold' needs a 'levelWindow' (the level alarm reads the level against it)");
  });
});
