/**
 * Scenes → a PowerPoint file (pptxgenjs): every frame, box, circle, label and wire of the
 * figure its own native shape at the place elkjs chose (one px is one pt), labels as
 * editable text runs (italic, sub- and superscripts), TeX that plain runs cannot set
 * (fractions, roots) as a picture whose alt text is the TeX. One slide per scene, all the
 * same size. The zip is rewritten with fixed dates, so the same input gives the same bytes.
 */
import { createRequire } from 'node:module';
import { GateflowError } from '../errors.js';
import { typeset } from './labels.js';
import { texNeedsPicture, texPlain, texRuns, type TextRun } from './tex-runs.js';
import type { SceneItem, SceneSection } from './scene.js';
import type { Box, Point } from './types.js';

export interface SlideScene {
  readonly sections: readonly SceneSection[];
  /** Speaker notes (the frame's statement), or ''. */
  readonly notes: string;
}

export interface PptxOptions {
  readonly width: number;
  readonly height: number;
  readonly title: string;
}

/** The largest side PowerPoint allows is 56 in; a wider figure is scaled down to fit. */
const MAX_INCHES = 56;
/** Labels are set in Times New Roman: every slide program has it or a metric twin (Liberation Serif). */
const FONT = 'Times New Roman';
/** Pictures of TeX are rendered at this many pixels per pt. */
const PICTURE_SCALE = 4;
/** Every part of the zip is dated 1980-01-01, the earliest a zip can say, and so is the document. */
const FIXED_DATE = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

const hex = (colour: string) => colour.replace(/^#/, '').toUpperCase();
/** Dash lengths ('5 3') as the nearest preset (slides have no free dash pattern). */
const dashType = (dash: string) => (!dash ? 'solid' : Number(dash.split(/[ ,]+/)[0]) <= 3 ? 'sysDash' : 'dash');

type Slide = import('pptxgenjs').default.Slide;

/** Adds one scene item to a slide, named for what it draws ('glyph 1:z', 'label glyph 1:z'); `u` is inches per px. */
function addItem(slide: Slide, item: SceneItem, u: number): void {
  const name = `${item.shape === 'label' ? 'label ' : ''}${item.role} ${item.key}`;
  const place = (b: Box) => ({ x: b.x * u, y: b.y * u, w: b.width * u, h: b.height * u });
  const line = (stroke: string | null, width: number, dash: string) => (stroke === null ? undefined : { color: hex(stroke), width: width * u * 72, dashType: dashType(dash) as 'solid' });
  switch (item.shape) {
    case 'rect':
      slide.addShape(item.radius ? 'roundRect' : 'rect', { ...place(item.box), fill: { color: hex(item.fill) }, line: line(item.stroke, item.strokeWidth, item.dash), rectRadius: item.radius ? Math.min(item.radius, item.box.width / 2, item.box.height / 2) * u : undefined, objectName: name });
      return;
    case 'circle':
    case 'ellipse': {
      const rx = item.shape === 'circle' ? item.r : item.rx;
      const ry = item.shape === 'circle' ? item.r : item.ry;
      slide.addShape('ellipse', { ...place({ x: item.centre.x - rx, y: item.centre.y - ry, width: 2 * rx, height: 2 * ry }), fill: { color: hex(item.fill) }, line: line(item.stroke, item.strokeWidth, item.dash), objectName: name });
      return;
    }
    case 'wire':
      addWire(slide, item.points, item.style, item.arrow, u, name);
      return;
    case 'label':
      addLabel(slide, item, u, name);
  }
}

/** A wire as one freeform path (its box the points' bounds), ending in a triangle when it has an arrow. */
function addWire(slide: Slide, points: readonly Point[], style: { color: string; width: number; dash: string }, arrow: boolean, u: number, name: string): void {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  // A straight wire has a zero-width box: give it a hair so the path has a coordinate space.
  const left = Math.min(...xs) - 0.5;
  const top = Math.min(...ys) - 0.5;
  const width = Math.max(...xs) + 0.5 - left;
  const height = Math.max(...ys) + 0.5 - top;
  // pptxgenjs draws `points` for its custom geometry, which its types do not list among the shape names.
  slide.addShape('custGeom' as 'rect', {
    x: left * u,
    y: top * u,
    w: width * u,
    h: height * u,
    points: points.map((p, i) => ({ x: (p.x - left) * u, y: (p.y - top) * u, ...(i === 0 ? { moveTo: true } : {}) })),
    line: { color: hex(style.color), width: style.width * u * 72, dashType: dashType(style.dash) as 'solid', ...(arrow ? { endArrowType: 'triangle' as const } : {}) },
    objectName: name,
  });
}

function addLabel(slide: Slide, item: Extract<SceneItem, { shape: 'label' }>, u: number, name: string): void {
  const b = item.box;
  if (texNeedsPicture(item.tex)) {
    slide.addImage({ data: `data:image/png;base64,${Buffer.from(texPicture(item.tex, item.px, item.colour)).toString('base64')}`, x: b.x * u, y: b.y * u, w: b.width * u, h: b.height * u, altText: item.tex, objectName: name });
    return;
  }
  const runs = spacedRuns(item.tex).map((r) => ({ text: r.text, options: { italic: r.italic, ...(r.script === 'sub' ? { subscript: true } : r.script === 'sup' ? { superscript: true } : {}) } }));
  // Wider than the typeset box by a margin: the slide's font sets the words a little wider than MathJax.
  // Notes under the figure are left-aligned lines; every other label is centred on its place.
  const slack = b.width * 0.3 + item.px;
  const left = item.role === 'note';
  slide.addText(runs.length ? runs : [{ text: texPlain(item.tex), options: {} }], {
    x: (b.x - (left ? 0 : slack / 2)) * u,
    y: b.y * u,
    w: (b.width + slack) * u,
    h: b.height * u,
    fontFace: FONT,
    fontSize: Math.round(item.px * u * 72 * 10) / 10,
    color: hex(item.colour),
    align: left ? 'left' : 'center',
    valign: 'middle',
    margin: 0,
    wrap: false,
    fit: 'none',
    objectName: name,
  });
}

/** Relations and binary operators: TeX spaces them, plain runs would not. */
const OPERATOR = /[=+\u2212\u2299\u00d7\u00b7]/g;

/**
 * The label's runs with a space either side of a binary operator where TeX would space it:
 * not a sign or 1− (something must stand on both sides), and not where text already has a space.
 */
function spacedRuns(tex: string): TextRun[] {
  const runs = texRuns(tex);
  return runs.map((r, i) => {
    if (r.script) return r;
    const before = (at: number) => (at > 0 ? r.text[at - 1] : runs[i - 1]?.text.slice(-1));
    const after = (at: number) => (at < r.text.length - 1 ? r.text[at + 1] : runs[i + 1]?.text[0]);
    const text = r.text.replace(OPERATOR, (op, at: number) => {
      const [b, a] = [before(at), after(at)];
      if (!b || !a) return op;
      return `${/\s/.test(b) ? '' : ' '}${op}${/\s/.test(a) ? '' : ' '}`;
    });
    return { ...r, text };
  });
}

/** TeX typeset by MathJax as a PNG (resvg; no fonts needed: the glyphs are paths). */
function texPicture(tex: string, px: number, colour: string): Uint8Array {
  const l = typeset(tex, px);
  const s = l.scale;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${l.width}" height="${l.height}" viewBox="${l.minX * s} ${l.minY * s} ${l.width} ${l.height}"><g transform="scale(${s})" fill="${colour}">${l.body.replaceAll('currentColor', colour)}</g></svg>`;
  const { Resvg } = createRequire(import.meta.url)('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  return new Uint8Array(new Resvg(svg, { fitTo: { mode: 'zoom', value: PICTURE_SCALE }, font: { loadSystemFonts: false } }).render().asPng());
}

/** The scenes as a .pptx: one slide each, the figure's size (scaled to PowerPoint's 56 in at most). */
export async function renderPptx(scenes: readonly SlideScene[], options: PptxOptions): Promise<Uint8Array> {
  const module = await import('pptxgenjs');
  // Its ES build's default export is the class; its CommonJS-style types put it one level down.
  const PptxGenJS = module.default as unknown as typeof module.default.default;
  const pptx = new PptxGenJS();
  const u = Math.min(1 / 72, MAX_INCHES / Math.max(options.width, options.height));
  pptx.defineLayout({ name: 'gateflow', width: options.width * u, height: options.height * u });
  pptx.layout = 'gateflow';
  pptx.title = options.title;
  pptx.author = 'gateflow';
  pptx.company = '';
  for (const scene of scenes) {
    const slide = pptx.addSlide();
    for (const section of scene.sections) {
      for (const item of section.items) {
        // The background is the slide's own, not a shape to select by mistake.
        if (item.role === 'background' && item.shape === 'rect') slide.background = { color: hex(item.fill) };
        else addItem(slide, item, u);
      }
    }
    if (scene.notes) slide.addNotes(scene.notes);
  }
  const bytes = (await pptx.write({ outputType: 'uint8array' })) as Uint8Array;
  return fixDates(bytes);
}

/** The same zip with every entry dated FIXED_DATE and the document's created/modified set to it. */
async function fixDates(bytes: Uint8Array): Promise<Uint8Array> {
  const { default: JSZip } = await import('jszip');
  const source = await JSZip.loadAsync(bytes);
  const out = new JSZip();
  const stamp = FIXED_DATE.toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const file of Object.values(source.files)) {
    if (file.dir) continue;
    let data: string | Uint8Array = await file.async('uint8array');
    if (file.name === 'docProps/core.xml') {
      const text = new TextDecoder().decode(data).replace(/(<dcterms:(?:created|modified)[^>]*>)[^<]*/g, `$1${stamp}`);
      if (!text.includes(stamp)) throw new GateflowError('pptxgenjs wrote docProps/core.xml without the dates gateflow fixes');
      data = text;
    }
    out.file(file.name, data, { date: FIXED_DATE, createFolders: false });
  }
  return out.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
