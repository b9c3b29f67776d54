/**
 * One laid-out step → the whole figure: the step repeated left to right, joined by
 * its state wires (labelled h_{t-1} in the gaps), the initial and final states at
 * the sides, each step's inputs below and outputs above, the title and the legend.
 * Plain geometry; elkjs has already done its part.
 */
import { keyKinds, placeKey } from './key.js';
import { typeset, type Label } from './labels.js';
import { STRIP_HEIGHT, TAG_RATIO, TITLE_RATIO, type NodeSize } from './measure.js';
import { atTime, timedTex } from './unroll.js';
import type { LayoutOptions } from './layout.js';
import type { Box, DiagramGraph, DiagramNode, PlacedEdge, PlacedGraph, PlacedNode, PlacedStep, PlacedTerminal, Point, StepPort } from './types.js';

/** One step as elkjs placed it, in the step's own coordinates. */
export interface StepLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: ReadonlyMap<string, Box>;
  readonly ports: ReadonlyMap<string, Point>;
  readonly edges: ReadonlyMap<string, { points: Point[]; junctions: Point[] }>;
}

const TERMINAL_GAP = 26; // between a frame and the input/output terminals
const STEP_GAP_MIN = 46;
const CHANNEL_GAP = 10; // between the vertical jogs of states crossing a gap
const MARGIN = 14;

/** The figure's frame: the port groups, the gap between steps and where the steps start. */
interface Frame {
  readonly graph: DiagramGraph;
  readonly step: StepLayout;
  readonly fontPx: number;
  readonly stateIns: readonly StepPort[];
  readonly stateOuts: readonly StepPort[];
  readonly inputs: readonly StepPort[];
  readonly outputs: readonly StepPort[];
  /** Width of a value strip, or null when values are not drawn. */
  readonly strip: number | null;
  /** The states whose ports differ in height, and the x of each one's channel in a gap. */
  readonly jogging: readonly StepPort[];
  readonly channelX: ReadonlyMap<string, number>;
  readonly gap: number;
  readonly left: number;
  readonly top: number;
  readonly terminalD: number;
  readonly stripRoom: number;
  readonly titleLabel: Label | null;
}

/** What the figure is made of, in drawing order. */
interface Parts {
  readonly steps: PlacedStep[];
  readonly nodes: PlacedNode[];
  readonly edges: PlacedEdge[];
  readonly terminals: PlacedTerminal[];
}

export function compose(
  graph: DiagramGraph,
  options: LayoutOptions,
  sizes: ReadonlyMap<string, NodeSize>,
  step: StepLayout,
  stepLabels: readonly Label[],
): PlacedGraph {
  const frame = frameOf(graph, options, step);
  const parts: Parts = { steps: [], nodes: [], edges: [], terminals: [] };
  const concatIds = new Set(graph.nodes.filter((n) => n.glyph === 'concat').map((n) => n.id));
  graph.steps.forEach((s, i) => {
    placeStep(frame, sizes, stepLabels[i], concatIds, s.time, i, parts);
    placeStepTerminals(frame, s.time, i, parts);
  });
  // States: from the initial terminal into step 0, between steps, and out of the last step.
  placeInitialStates(frame, parts);
  graph.steps.forEach((s, i) => placeStateOuts(frame, s.time, i, parts));
  return finishFigure(frame, options, parts);
}

/** Carry labels (h_{t-1} between steps) decide how wide the gaps must be. */
function carryLabel(name: string, time: string, fontPx: number): Label {
  return stateLabel(name, time, fontPx * TAG_RATIO);
}

function frameOf(graph: DiagramGraph, options: LayoutOptions, step: StepLayout): Frame {
  const fontPx = options.fontPx;
  const stateIns = graph.ports.filter((p) => p.side === 'west');
  const stateOuts = graph.ports.filter((p) => p.side === 'east');
  const inputs = graph.ports.filter((p) => p.side === 'south');
  const outputs = graph.ports.filter((p) => p.side === 'north');
  const carryWidths = graph.steps.flatMap((s) => stateOuts.map((p) => carryLabel(p.name, s.time, fontPx).width));
  const initialWidths = stateIns.map((p) => stateLabel(p.name, graph.initialTime, fontPx).width);
  const strip = options.stripWidth;
  // A state whose ports differ in height crosses the gap with a jog in a channel of its own,
  // right of every carry label (so no jog crosses a label) and of every other channel.
  const jogging = stateOuts.filter((p) => Math.abs(step.ports.get(p.id)!.y - step.ports.get(`in:${p.name}`)!.y) > 0.01);
  const labelRoom = Math.max(0, ...carryWidths, strip ?? 0) + 12;
  const channelX = new Map(jogging.map((p, k) => [p.name, labelRoom + CHANNEL_GAP * (k + 1)]));
  const gap = Math.ceil(
    Math.max(STEP_GAP_MIN, ...carryWidths.map((w) => w + 24), strip === null ? 0 : strip + 16, jogging.length ? labelRoom + CHANNEL_GAP * (jogging.length + 1) : 0),
  );
  const leftRoom = stateIns.length ? Math.ceil(Math.max(...initialWidths, strip ?? 0) + 30) : 0;
  const terminalD = terminalDiameter(graph, fontPx);
  const stripRoom = strip === null ? 0 : STRIP_HEIGHT + 6;
  const titleLabel = options.titleTex ? typeset(options.titleTex, fontPx * TITLE_RATIO) : null;
  const titleRoom = titleLabel ? Math.ceil(titleLabel.height + 16) : 0;
  const top = MARGIN + titleRoom + (outputs.length ? terminalD + TERMINAL_GAP + stripRoom : 0);
  const left = MARGIN + leftRoom;
  return { graph, step, fontPx, stateIns, stateOuts, inputs, outputs, strip, jogging, channelX, gap, left, top, terminalD, stripRoom, titleLabel };
}

/** `label` centred in `box` (or at height `y`). */
function centred(label: Label, box: Box, y?: number): Box {
  return {
    x: box.x + (box.width - label.width) / 2,
    y: y ?? box.y + (box.height - label.height) / 2,
    width: label.width,
    height: label.height,
  };
}

/** The x of step i's frame. */
function stepX(frame: Frame, i: number): number {
  return frame.left + i * (frame.step.width + frame.gap);
}

/** Step i: its frame, its nodes and its wires, moved to where the step sits. */
function placeStep(frame: Frame, sizes: ReadonlyMap<string, NodeSize>, label: Label, concatIds: ReadonlySet<string>, time: string, i: number, parts: Parts): void {
  const { graph, step } = frame;
  const ox = stepX(frame, i);
  const oy = frame.top;
  parts.steps.push({ index: i, time, tex: label.tex, x: ox, y: oy, width: step.width, height: step.height, labelBox: { x: ox + 12, y: oy + 8, width: label.width, height: label.height } });
  for (const n of graph.nodes) {
    const b = step.nodes.get(n.id)!;
    const size = sizes.get(n.id)!;
    const box = { x: ox + b.x, y: oy + b.y, width: b.width, height: b.height };
    parts.nodes.push(placeNode(n, i, box, size));
  }
  for (const e of graph.edges) {
    const route = step.edges.get(e.id);
    if (!route) continue;
    const shift = (p: Point) => ({ x: ox + p.x, y: oy + p.y });
    parts.edges.push({
      key: `${i}:${e.id}`,
      step: i,
      kind: e.kind,
      valueOf: e.valueOf,
      valueStep: i,
      source: `${i}:${e.source}`,
      target: `${i}:${e.target}`,
      points: route.points.map(shift),
      junctions: route.junctions.map(shift),
      arrow: !concatIds.has(e.target),
      label: null,
      stripBox: null,
    });
  }
}

/** Step i's inputs enter from below, its outputs leave upward, each through its frame port. */
function placeStepTerminals(frame: Frame, time: string, i: number, parts: Parts): void {
  const { step, terminalD, strip } = frame;
  const ox = stepX(frame, i);
  const oy = frame.top;
  for (const p of [...frame.inputs, ...frame.outputs]) {
    const port = step.ports.get(p.id)!;
    const tLabel = stateLabel(p.name, time, frame.fontPx);
    const below = p.side === 'south';
    const cx = ox + port.x;
    const ty = below ? oy + step.height + TERMINAL_GAP : oy - TERMINAL_GAP - terminalD;
    const box = { x: cx - terminalD / 2, y: ty, width: terminalD, height: terminalD };
    const role = p.role === 'noise' ? 'noise' : below ? 'input' : 'output';
    parts.terminals.push({
      key: `${i}:${p.id}:terminal`,
      role,
      tex: tLabel.tex,
      valueOf: p.valueOf,
      valueStep: i,
      ...box,
      labelBox: centred(tLabel, box),
      stripBox: strip === null ? null : { x: cx - strip / 2, y: below ? ty + terminalD + 5 : ty - 5 - STRIP_HEIGHT, width: strip, height: STRIP_HEIGHT },
    });
    const from = below ? { x: cx, y: ty } : { x: cx, y: oy + port.y };
    const to = below ? { x: cx, y: oy + port.y } : { x: cx, y: ty + terminalD };
    parts.edges.push({
      key: `${i}:${p.id}:terminal`,
      step: -1,
      kind: p.role === 'noise' ? 'noise' : below ? 'input' : 'output',
      valueOf: p.valueOf,
      valueStep: i,
      source: below ? `${i}:${p.id}:terminal` : `${i}:${p.id}`,
      target: below ? `${i}:${p.id}` : `${i}:${p.id}:terminal`,
      points: [from, to],
      junctions: [],
      arrow: true,
      label: null,
      stripBox: null,
    });
  }
}

/** Each state's initial value: a terminal at the left, wired into step 0. */
function placeInitialStates(frame: Frame, parts: Parts): void {
  const { strip } = frame;
  for (const p of frame.stateIns) {
    const port = frame.step.ports.get(p.id)!;
    const y = frame.top + port.y;
    const label = stateLabel(p.name, frame.graph.initialTime, frame.fontPx);
    const box = { x: MARGIN, y: y - label.height / 2 - 4, width: Math.ceil(label.width + 4), height: Math.ceil(label.height + 8) };
    parts.terminals.push({ key: `initial:${p.name}`, role: 'state-in', tex: label.tex, valueOf: p.valueOf, valueStep: 0, ...box, labelBox: centred(label, box), stripBox: strip === null ? null : { x: MARGIN, y: box.y + box.height + 3, width: strip, height: STRIP_HEIGHT } });
    parts.edges.push(stateEdge(`initial:${p.name}`, `0:${p.id}`, p, [{ x: box.x + box.width + 2, y }, { x: frame.left, y }], 0, null, null));
  }
}

/** Step i's states: carried across the gap to step i + 1, or out of the last step to a final terminal. */
function placeStateOuts(frame: Frame, time: string, i: number, parts: Parts): void {
  const { step, strip, gap, top } = frame;
  const ox = stepX(frame, i);
  for (const p of frame.stateOuts) {
    const port = step.ports.get(p.id)!;
    const y = top + port.y;
    const x0 = ox + step.width;
    if (i < frame.graph.steps.length - 1) {
      const inPort = step.ports.get(`in:${p.name}`)!;
      const x1 = x0 + gap;
      const y1 = top + inPort.y;
      const label = carryLabel(p.name, time, frame.fontPx);
      const channel = frame.channelX.get(p.name);
      const points = channel === undefined ? [{ x: x0, y }, { x: x1, y }] : [{ x: x0, y }, { x: x0 + channel, y }, { x: x0 + channel, y: y1 }, { x: x1, y: y1 }];
      // Centred on a straight carry; at the left, before any channel, when some state jogs.
      const left = (w: number) => (frame.jogging.length ? x0 + 6 : x0 + (gap - w) / 2);
      const labelBox = { x: left(label.width), y: y - label.height - 4, width: label.width, height: label.height };
      const stripBox = strip === null ? null : { x: left(strip), y: y + 4, width: strip, height: STRIP_HEIGHT };
      parts.edges.push(stateEdge(`${i}:${p.id}`, `${i + 1}:in:${p.name}`, p, points, i, { tex: label.tex, box: labelBox }, stripBox));
    } else {
      const label = stateLabel(p.name, time, frame.fontPx);
      const box = { x: x0 + 30, y: y - label.height / 2 - 4, width: Math.ceil(label.width + 4), height: Math.ceil(label.height + 8) };
      parts.terminals.push({ key: `final:${p.name}`, role: 'state-out', tex: label.tex, valueOf: p.valueOf, valueStep: i, ...box, labelBox: centred(label, box), stripBox: strip === null ? null : { x: box.x, y: box.y + box.height + 3, width: strip, height: STRIP_HEIGHT } });
      parts.edges.push(stateEdge(`${i}:${p.id}`, `final:${p.name}`, p, [{ x: x0, y }, { x: box.x - 2, y }], i, null, null));
    }
  }
}

/** The key and legend below the steps, the title above, and the figure's size. */
function finishFigure(frame: Frame, options: LayoutOptions, parts: Parts): PlacedGraph {
  const { graph, step, strip, titleLabel } = frame;
  const { steps, nodes, edges, terminals } = parts;
  const stepsRight = frame.left + graph.steps.length * step.width + (graph.steps.length - 1) * frame.gap;
  const rightRoom = frame.stateOuts.length ? Math.max(...terminals.filter((t) => t.role === 'state-out').map((t) => t.x + Math.max(t.width, strip ?? 0))) - stepsRight : 0;
  const contentRight = stepsRight + Math.max(0, rightRoom);
  const bottom = frame.top + step.height + (frame.inputs.length ? TERMINAL_GAP + frame.terminalD + frame.stripRoom : 0);
  const keyKindsUsed = options.key ? keyKinds(graph, edges.some((e) => e.junctions.length > 0)) : [];
  const placedKey = keyKindsUsed.length ? placeKey(keyKindsUsed, MARGIN, bottom + 14, Math.max(420, contentRight - MARGIN), frame.fontPx) : null;
  const belowKey = placedKey ? bottom + 14 + placedKey.height : bottom;
  const legend = options.legendHeight ? { x: MARGIN, y: belowKey + 12, width: Math.min(260, contentRight - MARGIN), height: options.legendHeight } : null;
  const keyRight = placedKey ? Math.max(...placedKey.items.map((i) => i.label.box.x + i.label.box.width)) : 0;
  const width = Math.ceil(Math.max(contentRight, keyRight, titleLabel ? MARGIN + titleLabel.width : 0, legend ? legend.x + legend.width : 0) + MARGIN);
  const height = Math.ceil((legend ? legend.y + legend.height : belowKey) + MARGIN);
  const title = titleLabel && options.titleTex ? { tex: options.titleTex, box: { x: (width - titleLabel.width) / 2, y: MARGIN, width: titleLabel.width, height: titleLabel.height } } : null;
  return { graph, width, height, steps, nodes, edges, terminals, title, legend, key: placedKey ? placedKey.items : null };
}

/** The time index one step before `time`: 't' → 't-1', 't-1' → 't-2', '3' → '2' (for x_prev's port). */
function previousTime(time: string): string {
  if (/^-?\d+$/.test(time)) return String(Number(time) - 1);
  const m = /^t(?:([+-])(\d+))?$/.exec(time);
  if (!m) return `${time}-1`;
  const offset = (m[1] === '+' ? 1 : -1) * Number(m[2] ?? 0) - 1;
  return offset === 0 ? 't' : offset < 0 ? `t${offset}` : `t+${offset}`;
}
/** A state, input or output's label at `time` (h_{t-1}), typeset. */
const stateLabel = (name: string, time: string, fontPx: number): Label => typeset(atTime(timedTex(name), time, previousTime(time)), fontPx);

/** Inputs (below) and outputs (above) are circles of one size, large enough for every label. */
export function terminalDiameter(graph: DiagramGraph, fontPx: number): number {
  const ends = graph.ports.filter((p) => p.side === 'south' || p.side === 'north');
  const labels = graph.steps.flatMap((s) => ends.map((p) => stateLabel(p.name, s.time, fontPx)));
  return Math.ceil(Math.max(30, ...labels.map((l) => Math.hypot(l.width, l.height) + 6)));
}

function stateEdge(source: string, target: string, p: StepPort, points: Point[], valueStep: number, label: PlacedEdge['label'], stripBox: Box | null): PlacedEdge {
  return { key: `${source}->${target}`, step: -1, kind: 'state', valueOf: p.valueOf, valueStep, source, target, points, junctions: [], arrow: true, label, stripBox };
}

function placeNode(n: DiagramNode, step: number, box: Box, size: NodeSize): PlacedNode {
  if (n.glyph === 'concat') {
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2, width: 0, height: 0 };
    return { key: `${step}:${n.id}`, step, node: n, labelTex: '', tagTex: '', ...box, glyphBox: box, labelBox: centre, tagBox: null, stripBox: null };
  }
  const label = size.labels[step];
  const tag = size.tags[step];
  const at = (b: Box): Box => ({ x: box.x + b.x, y: box.y + b.y, width: b.width, height: b.height });
  const glyphBox = at(size.glyph);
  const stripBox = size.strip ? at(size.strip) : null;
  // Label and tag are centred in the glyph, above a box's own strip.
  const round = n.glyph === 'pointwise' || n.glyph === 'matmul';
  const textH = round || !stripBox ? glyphBox.height : stripBox.y - glyphBox.y;
  const contentH = label.height + (tag ? tag.height + 3 : 0);
  const y0 = glyphBox.y + (textH - contentH) / 2;
  const cx = glyphBox.x + glyphBox.width / 2;
  const labelBox = { x: cx - label.width / 2, y: y0, width: label.width, height: label.height };
  const tagBox = tag ? { x: cx - tag.width / 2, y: y0 + label.height + 3, width: tag.width, height: tag.height } : null;
  return { key: `${step}:${n.id}`, step, node: n, labelTex: label.tex, tagTex: tag?.tex ?? '', ...box, glyphBox, labelBox, tagBox, stripBox };
}
