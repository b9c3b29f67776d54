/**
 * VAE stage: the convolutional encoder and decoder of Burgess et al. 2018 as disentanglement_lib
 * builds them (conv_encoder / deconv_decoder), on one-channel square images of a side divisible by 16:
 *   encoder: 4 convolutions 32-32-64-64 of 4×4 at stride 2 (padding 1, each halving the side),
 *            relu after each, flattened, then the model's dense layers (encW: → 256, mu/logvar);
 *   decoder: the dense layers (decW: z → 256, outW: → side²/256·64), reshaped to
 *            [side/16, side/16, 64], then 4 transposed convolutions 64-32-32-1 of 4×4 at stride 2
 *            (relu between), giving the logits of every pixel.
 * Images are channels-last ([B, H, W, C]), so a batch of flat pixel rows is already [B, side, side, 1].
 */
import { parameter, type Parameter, type Tape, type Var } from '../../engine/index.js';
import { InputError } from '../../errors.js';
import type { Random } from '../../random.js';

/** Output channels of the encoder's convolutions; the decoder runs them backwards, ending at 1. */
export const CONV_CHANNELS = [32, 32, 64, 64] as const;
const KERNEL = 4;
const CONV = { stride: 2, padding: 1 };

export interface ConvLayer {
  readonly W: Parameter;
  readonly B: Parameter;
}

export interface ConvParams {
  readonly encoder: readonly ConvLayer[];
  readonly decoder: readonly ConvLayer[];
}

/** The image side of a conv model with `input` pixels; refuses sizes the four halvings cannot take. */
export function convSide(input: number): number {
  const side = Math.round(Math.sqrt(input));
  if (side * side !== input || side % 16 !== 0) {
    throw new InputError(`--arch conv needs square images whose side is a multiple of 16 (32 or 64), got ${input} pixels`);
  }
  return side;
}

/** Flattened size after the encoder's convolutions: (side/16)² positions × 64 channels. */
export function convFeatures(input: number): number {
  return (convSide(input) / 16) ** 2 * CONV_CHANNELS[CONV_CHANNELS.length - 1];
}

/** Every conv parameter's name and shape (conv: [kh, kw, in, out]; transposed: [in, kh, kw, out]). */
export function convShapes(): Record<string, number[]> {
  const shapes: Record<string, number[]> = {};
  let channels = 1;
  CONV_CHANNELS.forEach((c, i) => {
    shapes[`conv${i + 1}W`] = [KERNEL, KERNEL, channels, c];
    shapes[`conv${i + 1}B`] = [c];
    channels = c;
  });
  const decoderOut = [...CONV_CHANNELS.slice(0, -1).reverse(), 1];
  decoderOut.forEach((c, i) => {
    shapes[`deconv${i + 1}W`] = [channels, KERNEL, KERNEL, c];
    shapes[`deconv${i + 1}B`] = [c];
    channels = c;
  });
  return shapes;
}

/**
 * TensorFlow's defaults, which disentanglement_lib trains with: Glorot-uniform weights,
 * U(±√(6 / (fan_in + fan_out))) with fan = k²·channels on each side (the same for a transposed
 * convolution), and zero biases. PyTorch's defaults (U(±1/√fan_in), about √3 times smaller for
 * relu layers, and random biases) shrink the signal by about 1/6 in second moment per layer;
 * with them the latent stayed closed for the first ~10,000 images (32×32), with Glorot and
 * setOutputPrior it opens within ~2,000, neither alone is enough (README, "Why the conv VAE stalled").
 */
export function glorotBound(fanIn: number, fanOut: number): number {
  return Math.sqrt(6 / (fanIn + fanOut));
}

export function createConvParams(random: Random): ConvParams {
  const make = (name: string, shape: number[], inChannels: number, outChannels: number): ConvLayer => {
    const bound = glorotBound(KERNEL * KERNEL * inChannels, KERNEL * KERNEL * outChannels);
    const W = new Float32Array(shape.reduce((a, b) => a * b, 1));
    random.fillUniform(W, -bound, bound);
    return { W: parameter(`${name}W`, { shape, data: W }), B: parameter(`${name}B`, { shape: [shape[3]!], data: new Float32Array(shape[3]!) }) };
  };
  const shapes = convShapes();
  const encoder = CONV_CHANNELS.map((_, i) => {
    const shape = shapes[`conv${i + 1}W`]!;
    return make(`conv${i + 1}`, shape, shape[2]!, shape[3]!);
  });
  const decoder = CONV_CHANNELS.map((_, i) => {
    const shape = shapes[`deconv${i + 1}W`]!;
    return make(`deconv${i + 1}`, shape, shape[0]!, shape[3]!);
  });
  return { encoder, decoder };
}

/**
 * Starts the decoder's last bias at the logit of the training set's mean pixel, so the first
 * steps do not go into learning that sprites are mostly black (about 4 % of the pixels are on:
 * logit −3.3, hundreds of Adam steps away from 0), while the KL pulls every posterior onto the prior.
 */
export function setOutputPrior(conv: ConvParams, meanPixel: number): void {
  const p = Math.min(Math.max(meanPixel, 1e-4), 1 - 1e-4);
  conv.decoder[conv.decoder.length - 1]!.B.value.data.fill(Math.log(p / (1 - p)));
}

export function convParameterList(conv: ConvParams): Parameter[] {
  return [...conv.encoder, ...conv.decoder].flatMap((layer) => [layer.W, layer.B]);
}

/** Flat pixel rows [B, side²] → relu(conv…) flattened to [B, features]. */
export function convEncode(tape: Tape, conv: ConvParams, x: Var): Var {
  const rows = x.value.shape[0]!;
  const side = convSide(x.value.data.length / rows);
  let h = tape.reshape(x, [rows, side, side, 1]);
  for (const layer of conv.encoder) h = tape.conv2d(h, tape.param(layer.W), { ...CONV, bias: tape.param(layer.B), relu: true });
  return tape.reshape(h, [rows, h.value.data.length / rows]);
}

/** Dense features [B, (side/16)²·64] → transposed convolutions → logits [B, side²] (no activation on the last). */
export function convDecode(tape: Tape, conv: ConvParams, features: Var): Var {
  const rows = features.value.shape[0]!;
  const channels = CONV_CHANNELS[CONV_CHANNELS.length - 1];
  const small = Math.round(Math.sqrt(features.value.data.length / rows / channels));
  let h = tape.reshape(features, [rows, small, small, channels]);
  conv.decoder.forEach((layer, i) => {
    h = tape.convTranspose2d(h, tape.param(layer.W), { ...CONV, bias: tape.param(layer.B), relu: i < conv.decoder.length - 1 });
  });
  return tape.reshape(h, [rows, h.value.data.length / rows]);
}
