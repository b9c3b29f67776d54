/**
 * Which parts of a placed figure to fade, for the walkthrough (one statement lit, the rest
 * faded), --highlight (chosen values and the wires between them) and --faded-neighbours
 * (the first and last drawn steps faded). Pure: PlacedGraph + CellGraph → a set of keys
 * (nodes, edges, terminals, and `step:I` for frames) that the renderer draws faded.
 */
import type { CellGraph, NodeId } from '../cell/index.js';
import { InputError } from '../errors.js';
import type { PlacedEdge, PlacedGraph } from './types.js';

/** The name a value goes by: its statement's target, or a leaf's own name (h_prev → h, x → x). */
function valueNames(cell: CellGraph): (id: NodeId) => string {
  const names = new Map<NodeId, string>();
  for (const n of cell.nodes) names.set(n.id, n.statement || ('name' in n ? n.name : ''));
  return (id) => names.get(id) ?? '';
}

/** Every key the renderer could fade: frames, glyphs, wires, terminals. */
function allKeys(placed: PlacedGraph): string[] {
  return [
    ...placed.steps.map((s) => `step:${s.index}`),
    ...placed.nodes.map((n) => n.key),
    ...placed.edges.map((e) => e.key),
    ...placed.terminals.map((t) => t.key),
  ];
}

/** Keys not in `lit`, frames excepted (a frame stays drawn so the figure keeps its shape). */
function fadedExcept(placed: PlacedGraph, lit: ReadonlySet<string>): Set<string> {
  return new Set(allKeys(placed).filter((key) => !key.startsWith('step:') && !lit.has(key)));
}

/**
 * Light the wires into `glyphs` and out of them, then the state carries and terminals
 * at the ports those wires reach: a statement's inputs arrive lit and its value leaves lit.
 */
function lightAround(placed: PlacedGraph, glyphs: ReadonlySet<string>): Set<string> {
  const lit = new Set(glyphs);
  const nodeKeys = new Set(placed.nodes.map((n) => n.key));
  const concats = new Set(placed.nodes.filter((n) => n.node.glyph === 'concat').map((n) => n.key));
  const touches = (e: PlacedEdge, keys: ReadonlySet<string>) => keys.has(e.source) || keys.has(e.target);
  // A lit merge point lights what flows into it and its wire to the lit glyph, not its other wires.
  const lights = (e: PlacedEdge) => glyphs.has(e.target) || (glyphs.has(e.source) && !concats.has(e.source));
  const ports = new Set<string>();
  for (const e of placed.edges) {
    if (!lights(e)) continue;
    lit.add(e.key);
    for (const end of [e.source, e.target]) if (!nodeKeys.has(end)) ports.add(end);
  }
  // From a lit port, only the wires outside the step: the state carries and the terminals.
  for (const e of placed.edges) {
    if (e.step !== -1 || !touches(e, ports)) continue;
    lit.add(e.key);
    for (const end of [e.source, e.target]) if (!nodeKeys.has(end)) lit.add(end);
  }
  return lit;
}

/** Merge points (gates detail) that feed a lit glyph are lit with it. */
function withFeedingConcats(placed: PlacedGraph, glyphs: Set<string>): Set<string> {
  const concats = new Set(placed.nodes.filter((n) => n.node.glyph === 'concat').map((n) => n.key));
  for (const e of placed.edges) if (concats.has(e.source) && glyphs.has(e.target)) glyphs.add(e.source);
  return glyphs;
}

/** The glyphs drawing statement `target` at drawn step `step`. */
function statementGlyphs(cell: CellGraph, placed: PlacedGraph, target: string, step: number): Set<string> {
  const nameOf = valueNames(cell);
  const glyphs = placed.nodes.filter((n) => n.step === step && n.node.glyph !== 'concat' && n.node.covers.some((id) => nameOf(id) === target));
  return withFeedingConcats(placed, new Set(glyphs.map((n) => n.key)));
}

/** Walkthrough frame: statement `target` at drawn step `step` lit, every other glyph and wire faded. */
export function fadeAllBut(cell: CellGraph, placed: PlacedGraph, target: string, step: number): Set<string> {
  return fadedExcept(placed, lightAround(placed, statementGlyphs(cell, placed, target, step)));
}

/** The names --highlight accepts: inputs, states, noises and statement targets, in source order. */
export function highlightNames(cell: CellGraph): string[] {
  return [...new Set([...cell.inputs, ...cell.noises].map((d) => d.name).concat(cell.statements.map((s) => s.target)))];
}

/**
 * --highlight: the glyphs of the named values at every step, the wires carrying them
 * between those glyphs, ports and terminals, and the terminals showing them; the rest faded.
 */
export function fadeAllButValues(cell: CellGraph, placed: PlacedGraph, names: readonly string[]): Set<string> {
  const known = highlightNames(cell);
  for (const name of names) {
    if (!known.includes(name)) throw new InputError(`--highlight: '${name}' is not a value of cell '${cell.name}' (values: ${known.join(', ')})`);
  }
  const chosen = new Set(names);
  const nameOf = valueNames(cell);
  const nodeKeys = new Set(placed.nodes.map((n) => n.key));
  const glyphs = new Set(placed.nodes.filter((n) => n.node.glyph !== 'concat' && chosen.has(nameOf(n.node.valueOf))).map((n) => n.key));
  const lit = new Set(glyphs);
  // A wire is lit when it carries a chosen value to a lit glyph, or to a port or terminal.
  for (const e of placed.edges) if (chosen.has(nameOf(e.valueOf)) && (glyphs.has(e.target) || !nodeKeys.has(e.target))) lit.add(e.key);
  for (const t of placed.terminals) if (chosen.has(nameOf(t.valueOf))) lit.add(t.key);
  return fadedExcept(placed, lit);
}

/** --faded-neighbours: the first and last drawn steps faded; the state wires joining them to the others stay drawn. */
export function fadeNeighbourSteps(placed: PlacedGraph): Set<string> {
  const last = placed.steps.length - 1;
  const faded = (i: number) => i === 0 || i === last;
  // Endpoint keys are `I:…` within a step, `initial:…` before the first, `final:…` after the last.
  const stepOf = (key: string) => (key.startsWith('initial:') ? 0 : key.startsWith('final:') ? last : Number.parseInt(key, 10));
  return new Set([
    ...placed.steps.filter((s) => faded(s.index)).map((s) => `step:${s.index}`),
    ...placed.nodes.filter((n) => faded(n.step)).map((n) => n.key),
    ...placed.edges.filter((e) => faded(stepOf(e.source)) && faded(stepOf(e.target))).map((e) => e.key),
    ...placed.terminals.filter((t) => faded(t.valueStep)).map((t) => t.key),
  ]);
}
