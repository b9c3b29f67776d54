// The fast forward schedule runs the language's newer ops (x_prev, renames, transpose, I,
// stacks, mean/sum/min/max, abs, sqrt, ^, clip, the hard sigmoids, scalar parameters):
// every literature cell in tests/fixtures/cells is scheduled whole, and its states at every
// step equal the tape's (the generic path) within 1e-12 in float64, on the WebAssembly
// kernels and without them.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCell } from '../../src/cell/index.js';
import { compile, randn, Tape } from '../../src/engine/index.js';
import { scheduled } from '../../src/engine/lower-cell.js';
import { useWasm } from '../../src/engine/matmul.js';
import { createRandom } from '../../src/random.js';
import { expectClose } from '../expect.js';

const DIR = resolve(__dirname, '..', 'fixtures', 'cells');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.cell') && !f.startsWith('diagram-')).sort();
const TOLERANCE = 1e-12;

describe('the forward schedule on the literature cells', () => {
  it('schedules every node of every literature cell (none falls back to the tape)', () => {
    const unscheduled = FILES.flatMap((f) => parseCell(readFileSync(join(DIR, f), 'utf8'), { file: f }).nodes.filter((n) => !scheduled(n)).map((n) => `${f}: ${n.id} (${n.kind})`));
    expect(unscheduled).toEqual([]);
  });

  it.each(FILES)(`%s: forward() equals the tape at every step within ${TOLERANCE} (T 5 and 1, batch 3, with and without wasm)`, (file) => {
    const cell = parseCell(readFileSync(join(DIR, file), 'utf8'), { file });
    const all: Record<string, number> = { input: 4, hidden: 8, out: 4, rank: 2, context: 5 };
    const sizes = Object.fromEntries(cell.dims.map((d) => [d, all[d]!]));
    const random = createRandom(11);
    const compiled = compile(cell, sizes);
    const params = compiled.initParams(random);
    const input = compiled.inputs[0]!;
    const initial = Object.fromEntries(compiled.states.map((s) => [s.name, randn([3, ...s.shape], random)]));
    for (const T of [5, 1]) {
      const x = randn([T, 3, ...input.shape], random);
      const tape = compiled.unroll(new Tape({ record: false }), params, { inputs: { [input.name]: x }, initial });
      for (const wasm of [true, false]) {
        const previous = useWasm(wasm);
        const fast = compile(cell, sizes).forward(params, { inputs: { [input.name]: x }, initial });
        useWasm(previous);
        for (const s of compiled.states) {
          const expected = tape.states[s.name]!.flatMap((v) => Array.from(v.value.data));
          expectClose(fast.states[s.name]!.data, expected, { atol: TOLERANCE, rtol: TOLERANCE }, `${cell.name}.${s.name}, T ${T}, wasm ${wasm}`);
        }
      }
    }
  });
});
