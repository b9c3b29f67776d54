// PowerPoint output (diagram.slides, `diagram -o X.pptx`), and `diagram --weights-map` (drawn in
// every format; here for the SVG, the slides and the CLI; one file saves a start-up of MathJax and elkjs): the .pptx read back as a zip and
// checked against the SVG of the same figure (an independent renderer): one shape per glyph at
// the SVG's place, one path per wire, the same label texts; same input, same bytes; --build's
// slides. `npm run test:figures` also renders slides with LibreOffice (Debian's
// libreoffice-impress, installed by .ci/run) and compares them box by box with the SVG.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { diagram, drawPlaced, placeDiagram, slides, walkthrough, type DiagramOptions } from '../../src/diagram/index.js';
import { weightsMap } from '../../src/trace/index.js';
import { checkGeometry } from '../../src/diagram/geometry.js';
import { texNeedsPicture } from '../../src/diagram/tex-runs.js';
import { runInProcess } from '../cli-in-process.js';
import { expectGolden } from '../golden.js';
import { expectSameBoxes, pdfPage, svgPixels, tool } from './figure-compare.js';
import { cellNamed, SHIPPED } from './helpers.js';

const FULL = process.env.GATEFLOW_FIGURES_FULL === '1';
/** EMU per pt (the figure's px): 914400 per inch, 72 pt per inch. */
const EMU = 12700;

interface Shape {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly geometry: string;
  readonly fill: string | null;
  readonly text: string;
  readonly descr: string | null;
  /** A freeform path's first point, in EMU on the slide. */
  readonly start: { x: number; y: number } | null;
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The shapes and pictures of one slide's XML, in drawing order. */
function shapesOf(xml: string): Shape[] {
  return [...xml.matchAll(/<p:(sp|pic)>([^]*?)<\/p:\1>/g)].map(([, tag, body]) => {
    const name = unescape(/<p:cNvPr id="\d+" name="([^"]*)"/.exec(body!)![1]!);
    const [x, y] = /<a:off x="(\d+)" y="(\d+)"/.exec(body!)!.slice(1).map(Number);
    const [w, h] = /<a:ext cx="(\d+)" cy="(\d+)"/.exec(body!)!.slice(1).map(Number);
    const geometry = tag === 'pic' ? 'picture' : /<a:prstGeom prst="(\w+)"/.exec(body!)?.[1] ?? (body!.includes('<a:custGeom>') ? 'custGeom' : 'picture');
    const fill = /<\/a:(?:prstGeom|custGeom)><a:solidFill><a:srgbClr val="(\w+)"/.exec(body!)?.[1] ?? null;
    const text = [...body!.matchAll(/<a:t>([^<]*)<\/a:t>/g)].map((m) => unescape(m[1]!)).join('');
    const descr = /descr="([^"]*)"/.exec(body!)?.[1];
    const move = /<a:moveTo><a:pt x="(\d+)" y="(\d+)"/.exec(body!);
    return { name, x: x!, y: y!, w: w!, h: h!, geometry, fill, text, descr: descr === undefined ? null : unescape(descr), start: move ? { x: x! + Number(move[1]), y: y! + Number(move[2]) } : null };
  });
}

async function readPptx(bytes: Uint8Array): Promise<{ slides: Shape[][]; notes: string[]; zip: JSZip }> {
  const zip = await JSZip.loadAsync(bytes);
  const count = Object.keys(zip.files).filter((f) => /^ppt\/slides\/slide\d+\.xml$/.test(f)).length;
  const slides: Shape[][] = [];
  const notes: string[] = [];
  for (let i = 1; i <= count; i++) {
    slides.push(shapesOf(await zip.file(`ppt/slides/slide${i}.xml`)!.async('string')));
    const note = await zip.file(`ppt/notesSlides/notesSlide${i}.xml`)!.async('string');
    notes.push([...note.matchAll(/<a:t>([^<]*)<\/a:t>/g)].map((m) => unescape(m[1]!)).join('\n'));
  }
  return { slides, notes, zip };
}

/** The SVG's glyph outlines by placed key (<g id="s1-z"> → '1:z'), as boxes in px. */
function svgGlyphBoxes(svg: string): Map<string, { x: number; y: number; w: number; h: number }> {
  const boxes = new Map<string, { x: number; y: number; w: number; h: number }>();
  for (const m of svg.matchAll(/<g id="s(\d+)-([^"]+)">\n<(rect|circle|ellipse) ([^>]*)>/g)) {
    const a = Object.fromEntries([...m[4]!.matchAll(/([\w-]+)="([^"]*)"/g)].map((p) => [p[1], Number(p[2])]));
    const box = m[3] === 'rect' ? { x: a.x!, y: a.y!, w: a.width!, h: a.height! } : { x: a.cx! - (a.rx ?? a.r!), y: a.cy! - (a.ry ?? a.r!), w: 2 * (a.rx ?? a.r!), h: 2 * (a.ry ?? a.r!) };
    boxes.set(`${m[1]}:${m[2]}`, box);
  }
  return boxes;
}

/** The SVG's editable labels' texts (tspans joined), without white space, sorted. */
const svgTexts = (svg: string) => [...svg.matchAll(/<text [^>]*>([^]*?)<\/text>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, '').replace(/\s+/g, '')).sort();

describe('slides: the figure as PowerPoint shapes', { timeout: 120_000 }, () => {
  it('slides(gru) draws one shape per SVG glyph at its place, one path per SVG wire, and the SVG labels as text', async () => {
    const cell = cellNamed('gru');
    const [bytes, svg] = await Promise.all([slides(cell), diagram(cell, { text: 'editable' })]);
    const { slides: [shapes] } = await readPptx(bytes);
    // Glyph outlines: same keys, and each within 0.01 px (the SVG's two decimals and EMU rounding) of the SVG's.
    const expected = svgGlyphBoxes(svg);
    const glyphs = shapes!.filter((s) => s.name.startsWith('glyph '));
    expect(glyphs.map((g) => g.name.slice(6).replace(/\./g, '-')).sort()).toEqual([...expected.keys()].sort());
    for (const g of glyphs) {
      const b = expected.get(g.name.slice(6).replace(/\./g, '-'))!;
      for (const [got, want] of [[g.x, b.x], [g.y, b.y], [g.w, b.w], [g.h, b.h]] as const) expect(Math.abs(got / EMU - want), `${g.name}: ${got / EMU} against ${want}`).toBeLessThanOrEqual(0.01);
    }
    // Wires: one freeform path for each SVG polyline, starting where it starts (to 0.01 px).
    const starts = [...svg.matchAll(/<polyline points="([-\d.]+),([-\d.]+)/g)].map((m) => `${Number(m[1]).toFixed(1)},${Number(m[2]).toFixed(1)}`).sort();
    const paths = shapes!.filter((s) => s.geometry === 'custGeom');
    expect(paths.every((p) => p.name.startsWith('wire '))).toBe(true);
    expect(paths.map((p) => `${(p.start!.x / EMU).toFixed(1)},${(p.start!.y / EMU).toFixed(1)}`).sort()).toEqual(starts);
    // Labels: the same texts as the SVG's editable labels, each in a text box of its own.
    const labels = shapes!.filter((s) => s.name.startsWith('label '));
    expect(labels.map((l) => l.text.replace(/\s+/g, '')).sort()).toEqual(svgTexts(svg));
    expect(shapes!.length).toBe(glyphs.length + paths.length + labels.length + shapes!.filter((s) => /^(junction|terminal|step) /.test(s.name)).length);
    expect(labels.find((l) => l.name === 'label glyph 1:z')?.text).toBe('σ');
  });

  it('slides(gru) and slides(lstm-peephole, legend): the slide XML matches its golden file (GATEFLOW_UPDATE_GOLDEN=1 rewrites it)', async () => {
    for (const [name, options, golden] of [['gru', {}, 'gru'], ['lstm-peephole', { legend: true }, 'lstm-peephole-legend']] as const) {
      const zip = await JSZip.loadAsync(await slides(cellNamed(name), options));
      const xml = await zip.file('ppt/slides/slide1.xml')!.async('string');
      // One element per line, so a review of the golden's diff reads shape by shape.
      expectGolden(`slides/${golden}.slide1.xml`, xml.replace(/></g, '>\n<') + '\n');
    }
  });

  it('same input, same bytes: slides(rnn) twice, with another figure between', async () => {
    const first = await slides(cellNamed('rnn'));
    await slides(cellNamed('mgu'), { legend: true });
    const second = await slides(cellNamed('rnn'));
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    const { zip } = await readPptx(first);
    expect(await zip.file('docProps/core.xml')!.async('string')).toContain('<dcterms:modified xsi:type="dcterms:W3CDTF">1980-01-01T00:00:00Z</dcterms:modified>');
  });

  it('slides(lstm, build) adds one slide per statement: the same shapes in the same places (lit wires drawn over faded ones), that statement lit and its equation beside', async () => {
    const cell = cellNamed('lstm');
    const { slides: deck, notes } = await readPptx(await slides(cell, { build: true }));
    expect(deck.length).toBe(1 + cell.statements.length);
    expect(notes.slice(1).map((n) => n.split(':')[0])).toEqual(cell.statements.map((s) => s.target));
    const place = (shapes: Shape[]) => shapes.filter((s) => s.name !== 'equation equation' && s.name !== 'label equation equation').map((s) => `${s.name}@${s.x},${s.y},${s.w},${s.h}`).sort();
    for (const slide of deck.slice(1)) expect(place(slide)).toEqual(place(deck[0]!));
    // Slide 5 explains o: o at step t in the layer colour, o at t-1 faded (F5EE9C 80% toward white: FDFCEB).
    const glyph = (slide: Shape[], key: string) => slide.find((s) => s.name === `glyph ${key}`)!;
    expect(cell.statements[3]!.target).toBe('o');
    expect([glyph(deck[4]!, '1:o').fill, glyph(deck[4]!, '0:o').fill, glyph(deck[0]!, '0:o').fill]).toEqual(['F5EE9C', 'FDFCEB', 'F5EE9C']);
    expect(deck[4]!.find((s) => s.name === 'label equation equation')!.text).toBe('ot = σ(Wioxt + bio + Whoht−1 + bho)');
  });

  it('TeX that text runs cannot set (a fraction) becomes a picture with the TeX as its alt text; the rest stays text', async () => {
    const { slides: deck } = await readPptx(await slides(cellNamed('vae-reparam'), { build: true }));
    const pictures = deck.flat().filter((s) => s.geometry === 'picture');
    expect(pictures.map((p) => [p.name, p.descr])).toEqual([['label equation equation', '\\mathrm{std}_{t} = \\exp\\left(\\frac{\\log\\sigma^{2}_{t}}{2}\\right)']]);
    expect(['h_{t-1}', '10^{-5}', '\\tilde{h}_{t}', '\\mathrm{hardsigmoid}_{\\text{Keras 2}}', '\\frac{a}{b}', '\\sqrt{\\cdot}', 'x_{t_1}', 'e^{x^{2}}'].map(texNeedsPicture)).toEqual([false, false, false, false, true, true, true, true]);
  });

  it('gateflow diagram -o X.pptx writes slides(); --build needs .pptx', async () => {
    const work = mkdtempSync(join(tmpdir(), 'gateflow-pptx-cli-'));
    const run = await runInProcess(['diagram', 'rnn', '-o', 'rnn.pptx', '--build'], work);
    expect(run.status).toBe(0);
    expect(Buffer.from(readFileSync(join(work, 'rnn.pptx'))).equals(Buffer.from(await slides(cellNamed('rnn'), { build: true })))).toBe(true);
    const svg = await runInProcess(['diagram', 'gru', '--build'], work);
    expect([svg.status, svg.stderr]).toEqual([2, 'gateflow: --build adds slides to a PowerPoint file; it does nothing for SVG (use --walkthrough for one figure per statement)\n']);
  });

  // LibreOffice renders each deck to PDF; every slide is compared, box by box, with the SVG.
  const renderCases: [string, DiagramOptions & { build?: boolean }][] = FULL
    ? [['lstm-peephole', { legend: true }], ['gru', { build: true }], ...SHIPPED.flatMap((name): [string, DiagramOptions][] => [[name, {}], [name, { detail: 'ops' }]])]
    : // npm test renders one deck, so a PowerPoint that LibreOffice draws wrong fails CI; test:figures renders them all.
      [['gru', {}]];
  for (const [name, options] of renderCases) {
    it(`LibreOffice draws ${name} ${JSON.stringify(options)} with the SVG's boxes in the SVG's places`, { timeout: 300_000 }, async () => {
      const work = mkdtempSync(join(tmpdir(), 'gateflow-pptx-lo-'));
      const cell = cellNamed(name);
      writeFileSync(join(work, 'figure.pptx'), await slides(cell, options));
      // A profile of its own: another soffice running on the machine must not share its lock.
      tool('soffice', [`-env:UserInstallation=file://${work}/profile`, '--headless', '--convert-to', 'pdf', 'figure.pptx'], work);
      const placed = await placeDiagram(cell, options);
      // A build's first slide is the plain figure on the walkthrough's wider page (checked by the plain cases); then one slide per frame.
      const pages = options.build ? (await walkthrough(cell, options)).map((f, i) => ({ page: i + 2, svg: f.svg })) : [{ page: 1, svg: await diagram(cell, options) }];
      // A build frame is mostly faded boxes, hardly darker than the step frame behind them, so a shift
      // cannot show there that the comparison can fail; the plain cases show it.
      for (const { page, svg } of pages) expectSameBoxes(pdfPage(work, 'figure.pdf', page), svgPixels(svg), placed, `LibreOffice slide ${page}`, !options.build);
    });
  }
});

describe('diagram --weights-map', { timeout: 120_000 }, () => {
  it('diagram(gru, weightsMap onnx) writes the badge and one line per gate under the figure, clear of it', async () => {
    const cell = cellNamed('gru');
    const map = weightsMap('gru', 'onnx');
    const [plain, placed] = await Promise.all([placeDiagram(cell), placeDiagram(cell, { weightsMap: map })]);
    const svg = await drawPlaced(cell, placed, { weightsMap: map, text: 'editable' });
    const notes = placed.notes!;
    expect(notes.map((n) => n.tex)).toEqual([
      '\\text{ONNX GRU: gate order z, r, h; linear}\\_\\text{before}\\_\\text{reset=1 (reset after the matmul); h = (1 − z) ⊙ n + z ⊙ h}\\_\\text{prev}',
      'W_{ir} = \\text{W[0, H:2H, :] (W}\\_\\text{r)}\\qquad W_{hr} = \\text{R[0, H:2H, :] (R}\\_\\text{r)}\\qquad b_{ir} = \\text{B[0, H:2H] (Wb}\\_\\text{r)}\\qquad b_{hr} = \\text{B[0, 4H:5H] (Rb}\\_\\text{r)}',
      'W_{iz} = \\text{W[0, 0:H, :] (W}\\_\\text{z)}\\qquad W_{hz} = \\text{R[0, 0:H, :] (R}\\_\\text{z)}\\qquad b_{iz} = \\text{B[0, 0:H] (Wb}\\_\\text{z)}\\qquad b_{hz} = \\text{B[0, 3H:4H] (Rb}\\_\\text{z)}',
      'W_{in} = \\text{W[0, 2H:3H, :] (W}\\_\\text{h)}\\qquad W_{hn} = \\text{R[0, 2H:3H, :] (R}\\_\\text{h)}\\qquad b_{in} = \\text{B[0, 2H:3H] (Wb}\\_\\text{h)}\\qquad b_{hn} = \\text{B[0, 5H:6H] (Rb}\\_\\text{h)}',
    ]);
    // Below everything the plain figure draws, one above the other, inside the (taller) canvas.
    const bottom = Math.max(...[...plain.nodes, ...plain.terminals, ...plain.steps].map((b) => b.y + b.height));
    expect(notes[0]!.box.y).toBeGreaterThan(bottom);
    for (const [i, n] of notes.entries()) {
      if (i > 0) expect(n.box.y).toBeGreaterThanOrEqual(notes[i - 1]!.box.y + notes[i - 1]!.box.height);
      expect(n.box.x + n.box.width).toBeLessThanOrEqual(placed.width);
    }
    expect(placed.height).toBeGreaterThan(plain.height);
    expect(placed.nodes).toEqual(plain.nodes);
    for (const n of notes) expect(svg).toContain(`data-tex="${n.tex.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"`);
  });

  it('in ops detail each parameter box also names its slice (Keras: the transposed kernel block; one bias), and the layout stays clean', async () => {
    const placed = await placeDiagram(cellNamed('rnn'), { detail: 'ops', steps: 1, weightsMap: weightsMap('rnn', 'keras') });
    const tag = (id: string) => placed.nodes.find((n) => n.key === `0:${id}`)?.tagTex;
    expect([tag('W_ih'), tag('W_hh'), tag('b_ih'), tag('b_hh')]).toEqual(['\\text{kernel[:, 0:H]}^{\\top}', '\\text{recurrent}\\_\\text{kernel[:, 0:H]}^{\\top}', '\\text{bias[0:H]}', '\\text{—}']);
    expect(checkGeometry(placed)).toEqual([]);
  });

  it('the slides carry the notes as left-aligned text; the CLI draws them for --weights-map and refuses a cell without a framework layout', async () => {
    const cell = cellNamed('lstm');
    const zip = await JSZip.loadAsync(await slides(cell, { weightsMap: weightsMap('lstm', 'keras') }));
    const xml = await zip.file('ppt/slides/slide1.xml')!.async('string');
    const badge = /name="label note note:0">[^]*?<a:pPr algn="(\w+)"[^]*?<a:t>([^<]*)<\/a:t>/.exec(xml);
    expect([badge?.[1], badge?.[2]]).toEqual(['l', 'Keras LSTM: gate order i, f, c, o; kernels transposed ([input, G · H])']);
    const work = mkdtempSync(join(tmpdir(), 'gateflow-weights-map-'));
    const run = await runInProcess(['diagram', 'rnn', '--weights-map', 'pytorch', '-o', 'rnn.svg'], work);
    expect(run.status).toBe(0);
    expect(readFileSync(join(work, 'rnn.svg'), 'utf8')).toBe(await diagram(cellNamed('rnn'), { weightsMap: weightsMap('rnn', 'pytorch') }));
    const refused = await runInProcess(['diagram', 'mgu', '--weights-map', 'onnx'], work);
    expect([refused.status, refused.stderr]).toEqual([2, "gateflow: --weights-map: cell 'mgu' has no framework layout (framework cells: rnn, gru, gru-cho, lstm, lstm-peephole)\n"]);
  });
});
