// Engine benchmark (against dist/). (1) Forward steps per second of LSTM and GRU at
// (batch 1, input 32, hidden 128) and (batch 16, input 64, hidden 256), sequence 1000, float32,
// one thread, with the anchors run in this same process on the same weights and inputs:
// onnxruntime-node (the model written as one ONNX LSTM/GRU node, intra-op threads 1) and the
// same cell written as a loop of @tensorflow/tfjs ops on its wasm backend (SIMD; stacked
// gate weights, one x·W_ihᵀ and one h·W_hhᵀ product per step: hoisting x·W_ihᵀ out of the
// loop made tfjs-wasm 5 to 30 times slower at sequence 1000, so it is not done). Also the
// engine in float64 and the mathjs evaluator (trace; the first N steps, it is slow).
// (2) Matrix-product GFLOP/s at 256 and 1024.
// Times are CPU time (process.cpuUsage: every thread of this process), the median of
// BENCH_REPEATS runs (default 5) after BENCH_WARMUP runs of each (default 5), the engine and its anchors taking turns;
// on a shared machine CPU time drifts less than the clock, and the ratios are the figures.
// With BENCH_BASELINE_DIST=<another build's dist/> (e.g. main's before a change), that build's
// float32 forward (its own defaults) takes its turn too, so before and after share the load.
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const { loadCell } = await dist('index.js');
const { compile, randn, useFma } = await dist('engine/index.js');
const { gemmNN, matmulNaive } = await dist('engine/matmul.js');
const { WasmArena } = await dist('engine/wasm.js');
const { trace } = await dist('trace/index.js');
const { createRandom } = await dist('random.js');
const baselineDir = process.env.BENCH_BASELINE_DIST ? resolve(process.env.BENCH_BASELINE_DIST) : undefined;
const baseline = baselineDir
  ? { ...(await import(pathToFileURL(join(baselineDir, 'index.js')).href)), ...(await import(pathToFileURL(join(baselineDir, 'engine', 'index.js')).href)) }
  : undefined;

const require = createRequire(join(root, 'package.json'));
// tfjs-core (not the @tensorflow/tfjs umbrella, whose node bundle requires an undeclared 'long')
// with the wasm backend registered on it; both come with the tfjs-backend-wasm dev dependency.
const tf = await import(pathToFileURL(require.resolve('@tensorflow/tfjs-core')).href);
const { setWasmPaths } = await import(pathToFileURL(require.resolve('@tensorflow/tfjs-backend-wasm')).href);
// The .wasm files ship inside the npm package: point the backend at them (no download).
setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/');
await tf.setBackend('wasm');
await tf.ready();

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
// Warm-up runs of each runner before the timed ones. V8 first runs WebAssembly on its baseline
// compiler and swaps in the optimised code when a background compile ends (later still on a
// loaded machine): the LSTM's first float32 forwards at batch 1 took 519, 80, 30 ms (331, 161,
// 82 in another process), then 10–25 ms. With one warm-up forward, the first timed cell (the
// LSTM at batch 1) read 0.63 of onnxruntime and the same build later in the same process 0.71.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 5);
const cpuMs = async (f) => {
  const start = process.cpuUsage();
  await f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
/** Median CPU milliseconds of each runner (it may return a promise), after WARMUP runs of each, the runners taking turns. */
const turns = async (runners) => {
  for (let i = 0; i < WARMUP; i++) for (const f of runners) await f();
  const times = runners.map(() => []);
  for (let i = 0; i < REPEATS; i++) for (const [k, f] of runners.entries()) times[k].push(await cpuMs(f));
  return times.map(median);
};
const best = async (f) => (await turns([f]))[0];
const fmt = (x) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()[0].toFixed(2)}; tfjs-core ${tf.version_core}, backend ${tf.getBackend()}, SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')}`);

const ort = await import(pathToFileURL(require.resolve('onnxruntime-node')).href).then((m) => m.default ?? m);
const { convertModel } = await dist('trace/index.js');
const { encodeOnnxModel } = await dist('io/index.js');

/** The cell as one ONNX LSTM/GRU node (gateflow's own converter) in onnxruntime, one thread; run() gives h_T. */
async function ortRunner(cellName, params, x32, T, B, I) {
  const weights = new Map(params.map((p) => [p.name, { shape: p.value.shape, data: Float64Array.from(p.value.data) }]));
  const { onnx } = convertModel({ cell: cellName, weights, framework: 'pytorch', recurrentActivation: 'sigmoid', source: 'bench' }, 'onnx');
  const session = await ort.InferenceSession.create(encodeOnnxModel(onnx), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  const X = new ort.Tensor('float32', x32.data, [T, B, I]);
  return { run: () => session.run({ X }), finalH: async () => (await session.run({ X })).Y_h.data };
}

/** The same cell as tfjs ops: stacked gate weights, per step x_t·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh. */
function tfjsRunner(cellName, params, x, T, B, H) {
  const P = Object.fromEntries(params.map((p) => [p.name, p.value]));
  const gates = cellName === 'lstm' ? ['i', 'f', 'g', 'o'] : ['r', 'z', 'n'];
  const stack = (prefix) => tf.concat(gates.map((g) => tf.tensor2d(Float32Array.from(P[`${prefix}${g}`].data), P[`${prefix}${g}`].shape)), 0);
  const stackBias = (prefix) => tf.concat(gates.map((g) => tf.tensor1d(Float32Array.from(P[`${prefix}${g}`].data))), 0);
  const WiT = tf.transpose(stack('W_i')), WhT = tf.transpose(stack('W_h'));
  const bi = stackBias('b_i'), bh = stackBias('b_h');
  const X = tf.tensor2d(Float32Array.from(x.data), [T * B, x.shape[2]]);
  return () => {
    const xs = tf.split(X, T, 0);
    let h = tf.zeros([B, H]);
    let c = tf.zeros([B, H]);
    for (let t = 0; t < T; t++) {
      const [h2, c2] = tf.tidy(() => {
        const HW = tf.add(tf.matMul(h, WhT), bh);
        const XW = tf.add(tf.matMul(xs[t], WiT), bi);
        if (cellName === 'lstm') {
          const [i, f, g, o] = tf.split(tf.add(XW, HW), 4, 1);
          const cN = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tf.tanh(g)));
          return [tf.mul(tf.sigmoid(o), tf.tanh(cN)), cN];
        }
        const [xr, xz, xn] = tf.split(XW, 3, 1);
        const [hr, hz, hn] = tf.split(HW, 3, 1);
        const r = tf.sigmoid(tf.add(xr, hr));
        const z = tf.sigmoid(tf.add(xz, hz));
        const n = tf.tanh(tf.add(xn, tf.mul(r, hn)));
        return [tf.add(n, tf.mul(z, tf.sub(h, n))), tf.zeros([1])];
      });
      h.dispose();
      c.dispose();
      h = h2;
      c = c2;
    }
    const out = h.dataSync().slice();
    h.dispose();
    c.dispose();
    xs.forEach((s) => s.dispose());
    return out;
  };
}

const SEQ = 1000;
const CONFIGS = [
  { B: 1, I: 32, H: 128, mathjsSteps: 40 },
  { B: 16, I: 64, H: 256, mathjsSteps: 8 },
];
console.log(`\n(1) forward steps/s (CPU time), sequence ${SEQ}, float32, one thread unless said (mathjs: the first N steps, float64)`);
const header = ['cell', 'B,I,H', 'engine', 'onnxruntime', 'tfjs-wasm', 'engine/ort', 'engine/tfjs', 'unfused', 'unfused/ort', 'engine f64', 'mathjs (N)', '|h_T − ort|'];
const rows = [];
const ratios = [];
const fmaRatios = [];
const baselineRatios = [];
const fmaOn = useFma(true);
for (const cellName of ['lstm', 'gru']) {
  for (const { B, I, H, mathjsSteps } of CONFIGS) {
    const random = createRandom(1);
    const cell = loadCell(cellName);
    const c64 = compile(cell, { input: I, hidden: H });
    const c32 = compile(cell, { input: I, hidden: H }, { dtype: 'float32' });
    const params = c64.initParams(random);
    const p32 = params.map((p) => ({ ...p, value: { shape: p.value.shape, data: Float32Array.from(p.value.data) } }));
    const x = randn([SEQ, B, I], random);
    const x32 = { shape: x.shape, data: Float32Array.from(x.data) };
    const steps = (ms) => (SEQ / ms) * 1000;

    // The default uses fused multiply-adds where the runtime has relaxed SIMD (the engine turns
    // Node 20's flag on); the same cell planned on the unfused kernels beside it (a forward plans
    // its arena once).
    const cPlain = compile(cell, { input: I, hidden: H }, { dtype: 'float32' });
    useFma(false);
    cPlain.forward(p32, { inputs: { x: x32 } });
    useFma(true);
    const onnx = await ortRunner(cellName, params, x32, SEQ, B, I);
    const runTf = tfjsRunner(cellName, params, x, SEQ, B, H);
    const runners = [() => c32.forward(p32, { inputs: { x: x32 } }), onnx.run, runTf, () => cPlain.forward(p32, { inputs: { x: x32 } })];
    const cBase = baseline?.compile(baseline.loadCell(cellName), { input: I, hidden: H }, { dtype: 'float32' });
    if (cBase) runners.push(() => cBase.forward(p32, { inputs: { x: x32 } }));
    const [f32, ortMs, tfjsMs, plainSteps, baseSteps] = (await turns(runners)).map(steps);
    if (baseSteps) baselineRatios.push(baseSteps / ortMs);
    const f64 = steps(await best(() => c64.forward(params, { inputs: { x } })));
    const theirs = await onnx.finalH();
    const ours = c32.forward(p32, { inputs: { x: x32 } }).final.h.data;
    let diff = 0;
    for (let i = 0; i < ours.length; i++) diff = Math.max(diff, Math.abs(ours[i] - theirs[i]));

    const weights = new Map(params.map((p) => [p.name, p.value]));
    const seq = Array.from({ length: mathjsSteps }, (_, t) => Array.from({ length: B }, (_, b) => Array.from(x.data.subarray((t * B + b) * I, (t * B + b + 1) * I))));
    const mathjs = (mathjsSteps / await best(() => trace(cell, weights, seq, { sizes: { input: I, hidden: H }, evaluator: 'mathjs' }))) * 1000;
    ratios.push(f32 / ortMs);
    fmaRatios.push(plainSteps / ortMs);
    const fmaCells = [fmt(plainSteps), `${(plainSteps / ortMs).toFixed(2)}×`];
    rows.push([cellName, `${B},${I},${H}`, fmt(f32), fmt(ortMs), fmt(tfjsMs), `${(f32 / ortMs).toFixed(2)}×`, `${(f32 / tfjsMs).toFixed(2)}×`, ...fmaCells, fmt(f64), `${fmt(mathjs)} (${mathjsSteps})`, diff.toExponential(1)]);
  }
}
const table = (head, body) => {
  const widths = head.map((h, k) => Math.max(h.length, ...body.map((r) => String(r[k]).length)));
  const line = (cells) => cells.map((c, k) => String(c).padStart(widths[k])).join('  ');
  console.log([line(head), ...body.map(line)].join('\n'));
};
table(header, rows);
console.log(`engine/onnxruntime (steps/s ratio; 1 = as fast, the aim is ≥ 0.67, within 1.5×): ${ratios.map((r) => r.toFixed(2)).join(', ')}`);
if (baseline) console.log(`baseline build (BENCH_BASELINE_DIST) / onnxruntime, same runs: ${baselineRatios.map((r) => r.toFixed(2)).join(', ')}`);
console.log(`fused multiply-adds (the default) ${fmaOn ? 'on' : 'not available on this runtime'}; unfused kernels (useFma(false)) / onnxruntime: ${fmaRatios.map((r) => r.toFixed(2)).join(', ')}`);

console.log('\n(2) matrix product C = A·B, n×n, GFLOP/s (2n³ flops)');
const mm = [];
for (const n of [256, 1024]) {
  const random = createRandom(2);
  const A = new Float64Array(n * n), B = new Float64Array(n * n), C = new Float64Array(n * n);
  random.fillNormal(A);
  random.fillNormal(B);
  const gflops = (ms) => (2 * n ** 3) / ms / 1e6;
  const naive = gflops(await best(() => matmulNaive(n, n, n, A, B, C)));
  const blocked = gflops(await best(() => { C.fill(0); gemmNN(n, n, n, A, B, C); }));
  const arena = WasmArena.create({ fma: false });
  const kernel = {};
  for (const dtype of ['float64', 'float32']) {
    arena.reset();
    const pa = arena.alloc(n * n, dtype), rows = arena.alloc(n * n, dtype), pb = arena.alloc(n * n, dtype), pc = arena.alloc(n * n, dtype);
    arena.view(pa, n * n, dtype).set(A);
    arena.view(rows, n * n, dtype).set(B);
    // The kernel reads B in panels (n is a whole number of them).
    arena.pack(dtype, n, n, rows, pb);
    const bc = dtype === 'float32' ? 8 : 4;
    kernel[dtype] = gflops(await best(() => { arena.view(pc, n * n, dtype).fill(0); arena.gemm(dtype, n, n / bc, n, pa, pb, pc, n, n); }));
  }
  // float32 on the fused multiply-add kernel (the default where the runtime has relaxed SIMD).
  kernel.fma = 'n/a';
  const fa = WasmArena.create({ fma: true });
  if (fa.fma) {
    const pa = fa.alloc(n * n, 'float32'), rows = fa.alloc(n * n, 'float32'), pb = fa.alloc(n * n, 'float32'), pc = fa.alloc(n * n, 'float32');
    fa.view(pa, n * n, 'float32').set(A);
    fa.view(rows, n * n, 'float32').set(B);
    fa.pack('float32', n, n, rows, pb);
    kernel.fma = fmt(gflops(await best(() => { fa.view(pc, n * n, 'float32').fill(0); fa.gemm('float32', n, n / 8, n, pa, pb, pc, n, n); })));
  }
  mm.push([n, fmt(naive), fmt(blocked), fmt(kernel.float64), fmt(kernel.float32), kernel.fma, `${(kernel.float64 / naive).toFixed(1)}×`, `${(kernel.float32 / naive).toFixed(1)}×`]);
}
table(['n', 'naive i-j-k', 'blocked i-k-j (JS)', 'wasm f64x2', 'wasm f32x4', 'f32x4 FMA', 'f64 / naive', 'f32 / naive'], mm);
