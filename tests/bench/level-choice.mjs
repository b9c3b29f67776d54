// Whether the predictor reads its input relative to its recent level, decided per series from the
// fit part (issue 13; level.ts, levelDrift). The pieces of `flag-rules.mjs run` trained twice,
// `--level 200 --out DIR200` and `--level 0 --out DIR0` (training depends on the input, the rule
// applied to the errors is the default one, local200persist2); for each series the choice reads
// the saved level input (standardised, seasonally adjusted) and takes the DIR200 or the DIR0
// piece. A series whose chosen piece is missing is reported and left out of that column.
//   node tests/bench/flag-rules.mjs run --groups S,A,H1 --level 200 --out /tmp/level-choice/lv200   (and --level 0 --out …/lv0)
//   node tests/bench/level-choice.mjs [--with DIR200] [--without DIR0] [--groups S,A,H1] [--threshold 0.03] [--series]
// (the confirming groups: S2,B,H2,R,F; MEASUREMENTS.md's table ran `--level 0` only where the rule reads the values)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const withDir = option('--with', '/tmp/level-choice/lv200');
const withoutDir = option('--without', '/tmp/level-choice/lv0');
const groups = option('--groups', 'S,A,H1').split(',');
const A = await import(join(root, 'dist', 'train', 'anomaly', 'index.js'));
const threshold = Number(option('--threshold', String(A.LEVEL_DRIFT_MIN ?? 0.03)));
// flag-rules.mjs runs its command only for `run` and `report`; imported, it gives its rules.
const { VARIANTS, evaluateFlags } = await import('./flag-rules.mjs');

const read = (dir, file) => (existsSync(join(dir, file)) ? JSON.parse(readFileSync(join(dir, file), 'utf8')) : undefined);
const floats = (a) => Float64Array.from(a, (v) => (v === null ? Number.NaN : v));
const files = readdirSync(withDir).filter((f) => f.endsWith('.json')).sort();
const rows = [];
for (const file of files) {
  const on = read(withDir, file);
  if (!groups.includes(on.group)) continue;
  const off = read(withoutDir, file);
  const drift = A.levelDrift(floats(on.inputs), on.C, on.regions.fitEnd, 200);
  const chosen = drift >= threshold ? on : off;
  const result = (p) => (p ? evaluateFlags(p, VARIANTS.local200persist2(p)) : undefined);
  rows.push({ group: on.group, series: on.series, drift, relative: drift >= threshold, results: { 'level 200': result(on), 'level 0': result(off), auto: result(chosen), 'z-score': on.zScore, everything: on.everything } });
}

const fmt = (s) => (s ? `${s.labelled === 0 ? '  n/a' : s.f1.toFixed(2).padStart(5)} ${s.detected}/${s.labelled},${String(s.fp).padStart(3)} ${Number.isFinite(s.nab) ? s.nab.toFixed(0).padStart(5) : '  n/a'}` : '    (not run)');
const columns = ['level 200', 'level 0', 'auto', 'z-score'];
console.log(`level drift threshold ${threshold}: composite F1, windows/labelled, FP runs, NAB`);
if (args.includes('--series')) {
  for (const r of rows) console.log(`${r.group.padEnd(3)}${r.series.slice(0, 40).padEnd(41)} drift ${r.drift.toFixed(3)} ${r.relative ? 'relative' : 'values  '}`, columns.map((c) => fmt(r.results[c]).padStart(20)).join(''));
}
// The synthetic groups also by kind; the real-like ones by kind (the name before `__`).
const kindOf = (r) => r.series.replace(/__seed\d+$/, '');
const subsets = groups.flatMap((g) => {
  const kinds = g === 'A' || g === 'B' || g === 'H1' || g === 'H2' ? [] : [...new Set(rows.filter((r) => r.group === g && !r.series.startsWith('heldout')).map(kindOf))];
  return [{ name: g, has: (r) => r.group === g }, ...kinds.map((k) => ({ name: `${g}:${k}`, has: (r) => r.group === g && kindOf(r) === k }))];
});
for (const { name, has } of subsets) {
  const sel = rows.filter(has);
  if (sel.length === 0) continue;
  console.log(`total ${name} (${sel.length} series; ${sel.filter((r) => r.relative).length} read relative to their level)`);
  for (const c of columns) {
    const have = sel.filter((r) => r.results[c]);
    if (have.length < sel.length) {
      console.log(`  ${c.padEnd(10)} ${sel.length - have.length} series not run`);
      continue;
    }
    const sum = (f) => sel.reduce((a, r) => a + f(r.results[c]), 0);
    const scored = sel.filter((r) => r.results.everything.labelled > 0);
    const mean = scored.reduce((a, r) => a + (r.results[c].f1 || 0), 0) / Math.max(1, scored.length);
    const wins = scored.filter((r) => (r.results[c].f1 || 0) > (r.results['z-score'].f1 || 0) && (r.results[c].f1 || 0) > (r.results.everything.f1 || 0)).length;
    const nab = A.nabTotal(sel.map((r) => ({ raw: r.results[c].nabRaw, nullScore: r.results[c].nabNull, perfect: r.results[c].nabPerfect, normalised: r.results[c].nab })));
    console.log(`  ${c.padEnd(10)} F1 ${mean.toFixed(2)}  windows ${String(sum((s) => s.detected)).padStart(2)}/${sum((s) => s.labelled)}  FP runs ${String(sum((s) => s.fp)).padStart(3)}  NAB ${Number.isFinite(nab) ? nab.toFixed(1).padStart(7) : '    n/a'}  wins ${wins}/${scored.length}`);
  }
}
