// Shared by the real-tool figure tests (TikZ through TeX, slides through LibreOffice): a PDF
// rendered to pixels by pdftoppm, compared box by box with the SVG rendered by resvg.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { expect } from 'vitest';
import type { Box, PlacedGraph } from '../../src/diagram/types.js';

/** Pixels per SVG unit (and per bp of the PDF) in the comparison. */
export const SCALE = 2;
/** A box's mean colour may differ by this much per channel (0-255): the fonts differ, the fills must not. */
export const MEAN_TOLERANCE = 14;

export interface Pixels {
  readonly width: number;
  readonly height: number;
  /** RGB or RGBA, row-major. */
  readonly data: Uint8Array;
  readonly channels: number;
}

/** Runs a tool in `cwd`; a missing tool fails with the reason (never a silent skip). */
export function tool(command: string, args: string[], cwd: string): void {
  const run = spawnSync(command, args, { cwd, encoding: 'utf8' });
  if (run.error) throw new Error(`${command} is needed for this test (.ci/run installs it with apt-get): ${run.error.message}`);
  expect(run.status, `${command} ${args.join(' ')} failed:\n${run.stdout.slice(-3000)}${run.stderr.slice(-3000)}`).toBe(0);
}

/** A binary PPM (P6, what pdftoppm -ppm writes) as pixels. */
export function readPpm(bytes: Buffer): Pixels {
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(bytes.subarray(0, 50).toString('latin1'))!;
  return { width: Number(header[1]), height: Number(header[2]), data: bytes.subarray(header[0].length), channels: 3 };
}

/** Page `page` (1-based) of `pdf` in folder `work`, at SCALE pixels per bp. */
export function pdfPage(work: string, pdf: string, page = 1): Pixels {
  const stem = `page-${page}`;
  tool('pdftoppm', ['-r', String(72 * SCALE), '-f', String(page), '-l', String(page), '-singlefile', pdf, stem], work);
  return readPpm(readFileSync(join(work, `${stem}.ppm`)));
}

/** An SVG rendered by resvg at SCALE. */
export function svgPixels(svg: string): Pixels {
  const rendered = new Resvg(svg, { fitTo: { mode: 'zoom', value: SCALE } }).render();
  return { width: rendered.width, height: rendered.height, data: rendered.pixels, channels: 4 };
}

export function meanColour(p: Pixels, box: Box): number[] {
  const sum = [0, 0, 0];
  let count = 0;
  for (let y = Math.ceil(box.y * SCALE); y < Math.floor((box.y + box.height) * SCALE); y++) {
    for (let x = Math.ceil(box.x * SCALE); x < Math.floor((box.x + box.width) * SCALE); x++) {
      const i = (y * p.width + x) * p.channels;
      for (let c = 0; c < 3; c++) sum[c]! += p.data[i + c]!;
      count++;
    }
  }
  return sum.map((s) => Math.round(s / Math.max(1, count)));
}

/** Every glyph and terminal, inset so that the outline's anti-aliasing does not count. */
export function boxesOf(placed: PlacedGraph): [string, Box][] {
  const inset = (b: Box, d: number): Box => ({ x: b.x + d, y: b.y + d, width: b.width - 2 * d, height: b.height - 2 * d });
  return [
    ...placed.nodes.filter((p) => p.node.glyph !== 'concat').map((p): [string, Box] => [p.key, inset(p.glyphBox, 3)]),
    ...placed.terminals.map((t): [string, Box] => [t.key, inset(t, t.role.startsWith('state') ? 0 : t.width * 0.2)]),
    ...placed.steps.map((s): [string, Box] => [`step ${s.time}`, inset(s, 6)]),
  ];
}

/**
 * The tool's rendering has the SVG's size (within a pixel) and every box of `placed` the
 * SVG's mean colour there; and (`checkShift`) the check can fail: the same boxes shifted 12 bp right mostly do not match.
 */
export function expectSameBoxes(rendered: Pixels, svg: Pixels, placed: PlacedGraph, what: string, checkShift = true): void {
  expect(Math.abs(rendered.width - svg.width), `${what} and SVG widths in px`).toBeLessThanOrEqual(1);
  expect(Math.abs(rendered.height - svg.height), `${what} and SVG heights in px`).toBeLessThanOrEqual(1);
  const off = boxesOf(placed)
    .map(([key, box]) => ({ key, rendered: meanColour(rendered, box), svg: meanColour(svg, box) }))
    .filter((m) => m.rendered.some((v, c) => Math.abs(v - m.svg[c]!) > MEAN_TOLERANCE));
  expect(off, `boxes whose mean colour differs by more than ${MEAN_TOLERANCE} in the ${what}`).toEqual([]);
  if (!checkShift) return;
  const moved = boxesOf(placed).filter(([, box]) => {
    const shifted = { ...box, x: box.x + 12 };
    return meanColour(rendered, shifted).some((v, c) => Math.abs(v - meanColour(svg, box)[c]!) > MEAN_TOLERANCE);
  });
  expect(moved.length, 'boxes that a 12 bp shift puts off').toBeGreaterThan(boxesOf(placed).length / 4);
}
