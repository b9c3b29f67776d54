// The --arch conv VAE: Burgess et al.'s layer shapes, a training step that lowers the loss,
// a save/load round trip, and the typed errors.
import { describe, expect, it } from 'vitest';
import { Tape } from '../../../src/engine/index.js';
import { createRandom } from '../../../src/random.js';
import { batchLoss, createVae, fromJsonModel, optimizerFor, parameterList, toJsonModel } from '../../../src/train/vae/model.js';
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
