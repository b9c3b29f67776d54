// Engine compile-time benchmark (against dist/): the CPU time of compile() and the first
// forward() (which builds the schedule's plan and its one-function step program) of a cell
// whose statement is an n-term sum (h = 0.5 h_prev ± c₀ x ± c₁ x …, as the long-expression
// test writes it; 3n + 4 nodes, a step program of about 66 bytes a term), for n = 4,000 and
// 20,000. Anchors measured in the same run on the same cell: V8 taking the step program's own
// bytes (validate, new WebAssembly.Module, instantiate, and a first call run(0, 0), which makes
// V8 compile the function it defers until then: the part the engine cannot do less of), and
// parseCell of the cell's text (linear). Linear building shows as time per term that does not
// grow from 4,000 to 20,000 terms and ratios to the anchors that do not grow with n. CPU time
// (every thread), median of BENCH_REPEATS runs (default 5). Last, the cell stage alone (issue
// 19: parseCell and withSizes of the 20,000-term sum, 60,004 nodes) against a whole `node -e 0`
// process's CPU time, measured in the same run.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
const { compile, tensor } = await dist('engine/index.js');
const { parseCell, withSizes } = await dist('cell/index.js');

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const cpuMs = (f) => {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** The long-expression test's n-term sum: coefficients multiples of 1/64 in [-50/64, 50/64]. */
function sumCell(n) {
  let source = '0.5 h_prev';
  for (let k = 0; k < n; k++) {
    const c = (((k * 37) % 101) - 50) / 64;
    source += ` ${c < 0 ? '-' : '+'} ${Math.abs(c)} x`;
  }
  return `cell: long\ninput: x\nstate: h [input]\nh = ${source}\n`;
}

// The bytes the engine hands to WebAssembly, caught on their way (the largest is the step program).
const validate = WebAssembly.validate;
let seen = [];
WebAssembly.validate = (bytes) => {
  seen.push(bytes);
  return validate(bytes);
};

/** The sum cell's program imports only a memory (no kernel: it has no matrix product); run(0, 0) returns at once. */
const v8Compile = (bytes) => {
  if (!validate(bytes)) throw new Error('the step program does not validate');
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory: new WebAssembly.Memory({ initial: 1 }) } });
  instance.exports.run(0, 0);
};

const X = tensor([[[1, -2]], [[0.5, 3]]], [2, 1, 2]);
const engineRun = (graph) => {
  const compiled = compile(graph, { input: 2 });
  compiled.forward([], { inputs: { x: X } });
  compiled.dispose();
};

console.log(`load average ${loadavg()[0].toFixed(2)}; CPU ms, median of ${REPEATS}`);
console.log('terms   nodes  program bytes  compile+forward  V8 compile  parseCell  engine/V8  engine/parse');
const perTerm = [];
for (const n of [4000, 20_000]) {
  const text = sumCell(n);
  const graph = parseCell(text, { file: 'long.cell' });
  seen = [];
  engineRun(graph);
  const program = seen.reduce((a, b) => (b.length > a.length ? b : a));
  const engine = [], wasm = [], parse = [];
  for (let r = 0; r < REPEATS; r++) {
    engine.push(cpuMs(() => engineRun(graph)));
    wasm.push(cpuMs(() => v8Compile(program)));
    parse.push(cpuMs(() => parseCell(text, { file: 'long.cell' })));
  }
  const [e, w, p] = [median(engine), median(wasm), median(parse)];
  perTerm.push(e / n);
  console.log(`${String(n).padStart(5)}  ${String(graph.nodes.length).padStart(6)}  ${String(program.length).padStart(13)}  ${e.toFixed(0).padStart(15)}  ${w.toFixed(0).padStart(10)}  ${p.toFixed(0).padStart(9)}  ${(e / w).toFixed(2).padStart(9)}  ${(e / p).toFixed(2).padStart(12)}`);
}
console.log(`engine time per term, 20,000 against 4,000 terms: ${(perTerm[1] / perTerm[0]).toFixed(2)} (1 = linear)`);

// The cell stage against starting Node: a child's whole CPU time (start-up included), as it reports it at exit.
const nodeStart = () => Number(spawnSync(process.execPath, ['-e', "process.on('exit', () => { const u = process.cpuUsage(); process.stdout.write(String((u.user + u.system) / 1000)); })"], { encoding: 'utf8' }).stdout);
const big = sumCell(20_000);
const stage = { parse: [], sizes: [], node: [] };
for (let r = 0; r < REPEATS; r++) {
  let graph;
  stage.parse.push(cpuMs(() => (graph = parseCell(big, { file: 'long.cell' }))));
  stage.sizes.push(cpuMs(() => withSizes(graph, { input: 2 })));
  stage.node.push(nodeStart());
}
const [parse, sizes, node] = [median(stage.parse), median(stage.sizes), median(stage.node)];
console.log(`cell stage, 20,000 terms: parseCell ${parse.toFixed(0)} ms, withSizes ${sizes.toFixed(0)} ms; node -e 0 ${node.toFixed(0)} ms; parseCell / node -e 0 = ${(parse / node).toFixed(2)}`);
