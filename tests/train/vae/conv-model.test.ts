// The --arch conv VAE: Burgess et al.'s layer shapes, a training step that lowers the loss,
// a save/load round trip, and the typed errors.
import { describe, expect, it } from 'vitest';
import { Tape } from '../../../src/engine/index.js';
import { createRandom } from '../../../src/random.js';
import { batchLoss, createVae, fromJsonModel, optimizerFor, parameterList, toJsonModel } from '../../../src/train/vae/model.js';
import { setOutputPrior } from '../../../src/train/vae/conv-net.js';
import { makeSprites } from '../../../src/train/vae/sprites.js';
import { encodeMeans } from '../../../src/train/vae/train.js';

const mlpConfig = { input: 4, hidden: 16, latent: 3, beta: 4, likelihood: 'bernoulli' as const };
const config = { ...mlpConfig, input: 32 * 32, arch: 'conv' as const };

describe('conv VAE (--arch conv)', () => {
  it('has the conv_encoder / deconv_decoder shapes: 4×4 kernels 1→32→32→64→64 and back, dense layers on (side/16)²·64 features', () => {
    const model = createVae(config, createRandom(1));
    const shapes = Object.fromEntries(parameterList(model).map((p) => [p.name, p.value.shape.join('×')]));
    expect(shapes).toEqual({
      encW: '256×16', encB: '16', muW: '16×3', muB: '3', logvarW: '16×3', logvarB: '3', decW: '3×16', decB: '16', outW: '16×256', outB: '256',
      conv1W: '4×4×1×32', conv1B: '32', conv2W: '4×4×32×32', conv2B: '32', conv3W: '4×4×32×64', conv3B: '64', conv4W: '4×4×64×64', conv4B: '64',
      deconv1W: '64×4×4×64', deconv1B: '64', deconv2W: '64×4×4×32', deconv2B: '32', deconv3W: '32×4×4×32', deconv3B: '32', deconv4W: '32×4×4×1', deconv4B: '1',
    });
    // 64×64 images leave 4×4×64 = 1024 features for the dense layer.
    expect(createVae({ ...config, input: 64 * 64 }, createRandom(1)).params.encW.value.shape).toEqual([1024, 16]);
  });

  it('starts from Glorot-uniform weights and zero biases (TensorFlow\'s defaults, as disentanglement_lib trains), the MLP keeps PyTorch\'s', () => {
    const model = createVae({ ...config, hidden: 256 }, createRandom(6));
    // √(6 / (fan_in + fan_out)), fans by hand: conv k²·channels on each side, dense in and out.
    const bounds: Record<string, number> = {
      conv1W: Math.sqrt(6 / (16 * 1 + 16 * 32)), conv2W: Math.sqrt(6 / (16 * 32 + 16 * 32)), conv4W: Math.sqrt(6 / (16 * 64 + 16 * 64)),
      deconv3W: Math.sqrt(6 / (16 * 32 + 16 * 32)), deconv4W: Math.sqrt(6 / (16 * 32 + 16 * 1)), encW: Math.sqrt(6 / (256 + 256)), decW: Math.sqrt(6 / (3 + 256)), outW: Math.sqrt(6 / (256 + 256)),
    };
    const params = Object.fromEntries(parameterList(model).map((p) => [p.name, p.value.data]));
    for (const [name, bound] of Object.entries(bounds)) {
      const w = Array.from(params[name]!);
      const largest = Math.max(...w.map(Math.abs));
      expect(largest, name).toBeLessThanOrEqual(bound);
      expect(largest, name).toBeGreaterThan(0.95 * bound); // ≥ 512 uniform draws: P(max < 0.95·bound) < 1e-11
      const variance = w.reduce((a, v) => a + v * v, 0) / w.length;
      expect(Math.abs(variance / (bound * bound / 3) - 1), name).toBeLessThan(0.15); // U(±b) has variance b²/3
    }
    for (const name of ['conv1B', 'conv4B', 'deconv4B', 'encB', 'muB', 'logvarB', 'decB', 'outB']) expect(params[name]!.every((v) => v === 0), name).toBe(true);
    // The MLP keeps nn.Linear's U(±1/√in) for weights and biases.
    const mlp = createVae({ ...mlpConfig, input: 400 }, createRandom(6));
    const mlpLargest = Math.max(...Array.from(mlp.params.encW.value.data, Math.abs));
    expect(mlpLargest).toBeLessThanOrEqual(1 / Math.sqrt(400));
    expect(mlpLargest).toBeGreaterThan(0.95 / Math.sqrt(400));
    expect(mlp.params.encB.value.data.every((v) => v !== 0 && Math.abs(v) <= 1 / Math.sqrt(400))).toBe(true);
    setOutputPrior(model.params.conv!, 0.2);
    expect(params.deconv4B![0]!).toBeCloseTo(Math.log(0.25), 6); // logit(0.2) = ln(0.2 / 0.8)
  });

  it('one Adam step on a batch of sprites lowers that batch\'s loss at the same noise, and logits cover every pixel', () => {
    const model = createVae(config, createRandom(2));
    const sprites = makeSprites(createRandom(3), { side: 32, count: 8 });
    const x = { shape: [8, 1024], data: sprites.values };
    const eps = { shape: [8, 3], data: new Float32Array(24).fill(0.5) };
    const before = batchLoss(new Tape(), model, x, eps);
    const tape = new Tape();
    const pieces = batchLoss(tape, model, x, eps);
    const optimizer = optimizerFor(model, 1e-3);
    optimizer.zeroGrad();
    tape.backward(pieces.loss);
    for (const p of parameterList(model)) expect(p.grad.data.some((g) => g !== 0), p.name).toBe(true);
    optimizer.step();
    const after = batchLoss(new Tape(), model, x, eps);
    expect(after.loss.value.data[0]!).toBeLessThan(before.loss.value.data[0]!);
    expect(before.reconstruction).toBeGreaterThan(0);
  });

  it('saves and loads: same config with arch conv, same latent means bit for bit; an MLP file keeps no arch key', () => {
    const model = createVae(config, createRandom(4));
    const json = JSON.parse(JSON.stringify(toJsonModel(model)));
    expect(json.config.arch).toBe('conv');
    const copy = fromJsonModel(json, 'm.json');
    const data = makeSprites(createRandom(5), { side: 32, count: 4 });
    // Saved at 9 significant digits: float32 values round-trip exactly, so the codes agree exactly.
    expect(Array.from(encodeMeans(copy, { count: 4, dim: 1024, values: data.values }))).toEqual(Array.from(encodeMeans(model, { count: 4, dim: 1024, values: data.values })));
    expect('arch' in (toJsonModel(createVae(mlpConfig, createRandom(0))).config as object)).toBe(false);
  });

  it('refuses images the four halvings cannot take, and an unknown arch in a model file', () => {
    expect(() => createVae({ ...config, input: 28 * 28 }, createRandom(0))).toThrow('--arch conv needs square images whose side is a multiple of 16 (32 or 64), got 784 pixels');
    const json = JSON.parse(JSON.stringify(toJsonModel(createVae(mlpConfig, createRandom(0)))));
    json.config.arch = 'resnet';
    expect(() => fromJsonModel(json, 'm.json')).toThrow("m.json: unknown arch 'resnet' (mlp, conv)");
  });
});
