// Layout invariants on generated cells: a small grammar of gates and state updates, a
// fixed seed, and every cell that parses is drawn in both details and checked.
import { describe, expect, it } from 'vitest';
import { parseCell, type CellGraph } from '../../src/cell/index.js';
import { placeDiagram } from '../../src/diagram/index.js';
import { checkGeometry } from '../../src/diagram/geometry.js';
import { createRandom } from '../../src/random.js';

const SEED = 3;

function generateCells(count: number): { text: string; cell: CellGraph }[] {
  const random = createRandom(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random.next() * xs.length)];
  const cells: { text: string; cell: CellGraph }[] = [];
  for (let k = 0; cells.length < count && k < count * 10; k++) {
    const states = ['h', 'c', 'm'].slice(0, 1 + Math.floor(random.next() * 3));
    const inputs = ['x', 'u'].slice(0, 1 + Math.floor(random.next() * 2));
    let p = 0;
    const lines: string[] = [];
    const gates: string[] = [];
    for (let g = 0; g < 1 + Math.floor(random.next() * 3); g++) {
      const terms = [`W${p++} ${pick(inputs)}`, `U${p++} ${pick(states)}_prev`];
      if (random.next() < 0.3) terms.push(`p${p++} ⊙ ${pick(states)}_prev`);
      lines.push(`g${g} = ${pick(['σ', 'tanh', 'relu'])}(${terms.join(' + ')} + b${p++})`);
      gates.push(`g${g}`);
    }
    for (const s of states) {
      const a = pick(gates);
      const b = pick([...gates, ...states.map((q) => `${q}_prev`)]);
      lines.push(`${s} = ${pick([`${a} ⊙ ${s}_prev + (1 - ${a}) ⊙ ${b}`, `tanh(${b}) ⊙ ${a} + ${s}_prev`, `${a} ⊙ tanh(${s}_prev) - ${b}`])}`);
    }
    const text = `cell: generated-${k}\ntitle: Generated ${k}\ninput: ${inputs.join(', ')}\nstate: ${states.join(', ')}\n${lines.join('\n')}\n`;
    try {
      cells.push({ text, cell: parseCell(text, { file: `generated-${k}.cell` }) });
    } catch {
      // The grammar can produce cells whose shapes cannot be inferred; the cell stage rejects those.
    }
  }
  return cells;
}

describe(`placeDiagram on generated cells (seed ${SEED})`, { timeout: 120_000 }, () => {
  const cells = generateCells(8);

  it('the generator yields eight cells that parse', () => {
    expect(cells).toHaveLength(8);
  });

  for (const [index, { text, cell }] of cells.entries()) {
    // Alternate the detail to keep the run short; both are covered across the set.
    const detail = index % 2 === 0 ? 'gates' : 'ops';
    it(`generated cell ${index} (${cell.states.length} states, ${cell.inputs.length} inputs) lays out cleanly in ${detail} detail`, async () => {
      expect(checkGeometry(await placeDiagram(cell, { steps: 2, detail })), text).toEqual([]);
    });
  }
});
