/**
 * Invariants of a placed diagram, as sentences: no two boxes overlap, labels sit
 * inside their boxes, no wire crosses a box it does not connect, a step's wires stay
 * inside its frame, steps run left to right, no junction dot lies on another. Pure;
 * the tests call it on every shipped cell, so a layout regression fails with a
 * readable reason.
 */
import type { Box, PlacedGraph, Point } from './types.js';

const EPS = 0.5;
/** Junction dots whose centres are closer than this overlap (a dot's radius is about 3 to 4 px). */
export const JUNCTION_CLEARANCE = 8;

/** True when the open interiors of a and b intersect (touching edges do not count). */
export function boxesOverlap(a: Box, b: Box, eps = EPS): boolean {
  return a.x + eps < b.x + b.width && b.x + eps < a.x + a.width && a.y + eps < b.y + b.height && b.y + eps < a.y + a.height;
}

export function boxContains(outer: Box, inner: Box, eps = EPS): boolean {
  return inner.x >= outer.x - eps && inner.y >= outer.y - eps && inner.x + inner.width <= outer.x + outer.width + eps && inner.y + inner.height <= outer.y + outer.height + eps;
}

/** True when the segment a–b passes through the interior of box (shrunk by eps). */
export function segmentCrossesBox(a: Point, b: Point, box: Box, eps = EPS): boolean {
  const inner = { x: box.x + eps, y: box.y + eps, width: box.width - 2 * eps, height: box.height - 2 * eps };
  if (inner.width <= 0 || inner.height <= 0) return false;
  // Liang–Barsky clipping: does any part of the segment lie strictly inside?
  let t0 = 0;
  let t1 = 1;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const clip = (p: number, q: number): boolean => {
    if (p === 0) return q > 0;
    const r = q / p;
    if (p < 0) {
      if (r > t1) return false;
      if (r > t0) t0 = r;
    } else {
      if (r < t0) return false;
      if (r < t1) t1 = r;
    }
    return true;
  };
  const inside =
    clip(-dx, a.x - inner.x) && clip(dx, inner.x + inner.width - a.x) && clip(-dy, a.y - inner.y) && clip(dy, inner.y + inner.height - a.y);
  return inside && t1 - t0 > 1e-9;
}

/** Every segment horizontal or vertical (to within rounding). */
export function isOrthogonal(points: readonly Point[]): boolean {
  return points.every((p, i) => i === 0 || Math.abs(p.x - points[i - 1].x) < 0.01 || Math.abs(p.y - points[i - 1].y) < 0.01);
}

const pointIn = (p: Point, box: Box, eps = EPS) => p.x >= box.x - eps && p.x <= box.x + box.width + eps && p.y >= box.y - eps && p.y <= box.y + box.height + eps;

/** A box that nothing else may overlap, and the name it is reported by. */
interface Obstacle {
  readonly key: string;
  readonly box: Box;
}

/** A key as a message names it: '0:h' → 'step 0 h'. */
const nameOf = (key: string) => key.replace(/^(\d+):/, (_, s) => `step ${s} `);

/** Every violated invariant, as a sentence; [] when the figure is clean. */
export function checkGeometry(placed: PlacedGraph): string[] {
  const obstacles = obstaclesOf(placed);
  return [
    ...checkOverlaps(obstacles),
    ...checkContainment(placed),
    ...checkRoutes(placed, obstacles),
    ...checkJunctions(placed),
    ...checkStepsAndBounds(placed, obstacles),
  ];
}

/** Glyphs, terminals, labels, the title and the key: the boxes wires must go around. */
function obstaclesOf(placed: PlacedGraph): Obstacle[] {
  return [
    ...placed.nodes.map((n) => ({ key: n.key, box: n as Box })),
    ...placed.terminals.map((t) => ({ key: t.key, box: t as Box })),
    ...placed.steps.map((s) => ({ key: `label of step ${s.index}`, box: s.labelBox })),
    ...placed.edges.filter((e) => e.label).map((e) => ({ key: `label of ${e.key}`, box: e.label!.box })),
    ...(placed.title ? [{ key: 'title', box: placed.title.box }] : []),
    ...(placed.key ?? []).flatMap((k) => [
      { key: `key sample ${k.kind}`, box: k.sample },
      { key: `key words ${k.kind}`, box: k.label.box },
    ]),
  ];
}

function checkOverlaps(obstacles: readonly Obstacle[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i < obstacles.length; i++) {
    for (let j = i + 1; j < obstacles.length; j++) {
      if (boxesOverlap(obstacles[i].box, obstacles[j].box)) problems.push(`${nameOf(obstacles[i].key)} overlaps ${nameOf(obstacles[j].key)}`);
    }
  }
  return problems;
}

/** Labels, tags and strips inside their boxes; glyphs inside their step frames. */
function checkContainment(placed: PlacedGraph): string[] {
  const problems: string[] = [];
  for (const n of placed.nodes) {
    if (!boxContains(n, n.labelBox)) problems.push(`label of ${nameOf(n.key)} sticks out of its box`);
    if (n.tagBox && !boxContains(n, n.tagBox)) problems.push(`tag of ${nameOf(n.key)} sticks out of its box`);
    if (n.stripBox && !boxContains(n, n.stripBox)) problems.push(`value strip of ${nameOf(n.key)} sticks out of its box`);
    const frame = placed.steps[n.step];
    if (!boxContains(frame, n)) problems.push(`${nameOf(n.key)} lies outside its step frame`);
  }
  for (const t of placed.terminals) {
    if (!boxContains(t, t.labelBox)) problems.push(`label of ${t.key} sticks out of its box`);
  }
  return problems;
}

/** Wires: through no box but their own ends and label, orthogonal, inside their step frame. */
function checkRoutes(placed: PlacedGraph, obstacles: readonly Obstacle[]): string[] {
  const problems: string[] = [];
  for (const e of placed.edges) {
    const own = new Set([e.source, e.target]);
    for (let k = 0; k + 1 < e.points.length; k++) {
      for (const o of obstacles) {
        if (own.has(o.key) || o.key === `label of ${e.key}`) continue;
        if (segmentCrossesBox(e.points[k], e.points[k + 1], o.box)) problems.push(`wire ${nameOf(e.key)} crosses ${nameOf(o.key)}`);
      }
    }
    if (!isOrthogonal(e.points)) {
      problems.push(`wire ${nameOf(e.key)} has a slanted segment`);
    }
    if (e.step >= 0) {
      const frame = placed.steps[e.step];
      if (!e.points.every((p) => pointIn(p, frame))) problems.push(`wire ${nameOf(e.key)} leaves its step frame`);
    }
  }
  return problems;
}

/** No two junction dots closer than JUNCTION_CLEARANCE. */
function checkJunctions(placed: PlacedGraph): string[] {
  const problems: string[] = [];
  const dots = placed.edges.flatMap((e) => e.junctions.map((j) => ({ ...j, key: e.key })));
  for (let i = 0; i < dots.length; i++) {
    for (let j = i + 1; j < dots.length; j++) {
      if (Math.hypot(dots[i].x - dots[j].x, dots[i].y - dots[j].y) < JUNCTION_CLEARANCE) {
        problems.push(`junction dots of wires ${nameOf(dots[i].key)} and ${nameOf(dots[j].key)} overlap at (${dots[i].x.toFixed(1)}, ${dots[i].y.toFixed(1)})`);
      }
    }
  }
  return problems;
}

/** Steps left to right; every box inside the figure (the first one outside is reported). */
function checkStepsAndBounds(placed: PlacedGraph, obstacles: readonly Obstacle[]): string[] {
  const problems: string[] = [];
  for (let i = 0; i + 1 < placed.steps.length; i++) {
    const a = placed.steps[i];
    const b = placed.steps[i + 1];
    if (!(a.x + a.width < b.x)) problems.push(`step ${i + 1} does not lie right of step ${i}`);
  }
  const all: Box[] = [...obstacles.map((o) => o.box), ...placed.steps];
  for (const b of all) {
    if (b.x < 0 || b.y < 0 || b.x + b.width > placed.width + EPS || b.y + b.height > placed.height + EPS) {
      problems.push(`a box at (${b.x.toFixed(1)}, ${b.y.toFixed(1)}) lies outside the figure`);
      break;
    }
  }
  return problems;
}
