/**
 * Runs the gallery's command sections (GALLERY_RUNS) with the built bin, each in its own
 * working directory, as a user would type them. Used by `gateflow gallery` and by the test
 * that checks out/ is current.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GateflowError } from '../errors.js';
import type { GalleryRun } from '../gallery.js';
import { readText, svgToPng, TEMPLATES_DIR, writeFileAtomic } from '../io/index.js';

/** The compiled bin; the gallery needs `npm run build` first (npm start and npm test do it). */
export const BIN = resolve(TEMPLATES_DIR, '..', 'dist', 'cli', 'main.js');

/** PNG pixels per SVG unit for the SVGs a run leaves without a PNG. */
const RUN_PNG_SCALE = 2;

/** Runs `gateflow ...args` in folder `cwd`; resolves with its standard output, rejects when it fails. */
export type GalleryCommandRunner = (args: readonly string[], cwd: string) => Promise<Buffer>;

/** The built bin in a child process, as a user types the command: what `gateflow gallery` runs. */
function runBin(args: readonly string[], cwd: string): Promise<Buffer> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', fail);
    child.on('close', (status) => {
      if (status === 0) done(Buffer.concat(out));
      else fail(new GateflowError(`gallery: 'gateflow ${args.join(' ')}' failed (status ${status}): ${Buffer.concat(err).toString().trim()}`));
    });
  });
}

/**
 * A standalone .tex the section wrote, compiled by pdflatex and drawn to NAME.png by
 * pdftoppm (Debian's TeX Live and poppler-utils; .ci/run installs them): the gallery
 * shows what LaTeX makes of the TikZ. Only the .tex and the .png are kept.
 */
async function compileToPng(tex: string, dir: string): Promise<void> {
  const name = tex.replace(/\.tex$/, '');
  const tool = (command: string, args: string[]) => {
    const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new GateflowError(`gallery: '${command} ${args.join(' ')}' failed${result.error ? ` (${result.error.message}; install it: apt-get install texlive-latex-base texlive-pictures poppler-utils)` : ''}: ${(result.stdout ?? '').slice(-500)}`);
  };
  tool('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', tex]);
  tool('pdftoppm', ['-r', String(72 * RUN_PNG_SCALE), '-singlefile', '-png', `${name}.pdf`, name]);
  for (const extension of ['aux', 'log', 'pdf']) rmSync(join(dir, `${name}.${extension}`), { force: true });
}

/**
 * A .pptx the section wrote, drawn by LibreOffice (soffice --headless, Debian's
 * libreoffice-impress; .ci/run installs it) to PDF, then each slide to NAME-K.png by
 * pdftoppm (the slides the section's README shows): what a slide program makes of the file.
 * Only the .pptx and those PNGs are kept. LibreOffice gets a profile of its own, so another soffice running is no matter.
 */
async function renderSlides(pptx: string, dir: string, pages: readonly number[]): Promise<void> {
  const name = pptx.replace(/\.pptx$/, '');
  const profile = mkdtempSync(join(tmpdir(), 'gateflow-soffice-'));
  const env = { ...process.env, FONTCONFIG_FILE: slideFontConfig(profile) };
  const tool = (command: string, args: string[]) => {
    const result = spawnSync(command, args, { cwd: dir, encoding: 'utf8', env });
    if (result.status !== 0) throw new GateflowError(`gallery: '${command} ${args.join(' ')}' failed${result.error ? ` (${result.error.message}; install it: apt-get install libreoffice-impress poppler-utils)` : ''}: ${(result.stderr ?? '').slice(-500)}`);
  };
  try {
    tool('soffice', [`-env:UserInstallation=file://${profile}`, '--headless', '--convert-to', 'pdf', pptx]);
    for (const page of pages) tool('pdftoppm', ['-r', String(72 * RUN_PNG_SCALE), '-png', '-f', String(page), '-l', String(page), '-singlefile', `${name}.pdf`, `${name}-${page}`]);
  } finally {
    rmSync(profile, { recursive: true, force: true });
    rmSync(join(dir, `${name}.pdf`), { force: true });
  }
}

/** Where Debian's fonts-liberation (1.x) puts Liberation Serif and Sans, LibreOffice's stand-ins for Times New Roman and Arial. */
const SLIDE_FONT_DIRS = ['/usr/share/fonts/truetype/liberation', '/usr/share/fonts/truetype/dejavu'];

/**
 * A fontconfig file that shows LibreOffice only fonts-liberation and DejaVu, written into `profile`.
 * Why: with every system font visible, the slides' PNGs change with whatever else the machine
 * installed (graphviz brings fonts-liberation2, whose Liberation Serif 2.x hints differently),
 * and the gallery is byte-checked.
 */
function slideFontConfig(profile: string): string {
  const missing = SLIDE_FONT_DIRS.filter((dir) => !existsSync(dir));
  if (missing.length > 0) throw new GateflowError(`gallery: the slides are drawn with Debian's fonts-liberation and fonts-dejavu-core, and ${missing.join(', ')} is missing (apt-get install fonts-liberation fonts-dejavu-core)`);
  const file = join(profile, 'fonts.conf');
  const dirs = SLIDE_FONT_DIRS.map((dir) => `  <dir>${dir}</dir>`).join('\n');
  writeFileSync(file, `<?xml version="1.0"?>\n<fontconfig>\n${dirs}\n  <cachedir>${join(profile, 'fontconfig-cache')}</cachedir>\n  <include ignore_missing="yes">/etc/fonts/conf.d</include>\n</fontconfig>\n`);
  return file;
}

/** Every file under dir, relative to it, sorted. */
export function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => (statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name), `${prefix}${name}/`) : [`${prefix}${name}`]));
}

/**
 * Runs one section's commands in `dir` (created if needed), then adds PNGs beside bare SVGs.
 * `run` runs each command: the built bin unless given (the gallery test runs them in its own process).
 */
export async function runGallerySection(section: GalleryRun, dir: string, run?: GalleryCommandRunner): Promise<void> {
  if (!run && !existsSync(BIN)) throw new GateflowError(`gallery: ${BIN} is missing; run \`npm run build\` first`);
  mkdirSync(dir, { recursive: true });
  for (const command of section.commands) {
    const stdout = await (run ?? runBin)(command.args, dir);
    if (command.stdout) writeFileAtomic(join(dir, command.stdout), stdout);
  }
  for (const tex of section.latex ?? []) await compileToPng(tex, dir);
  for (const pptx of section.slides ?? []) {
    const stem = pptx.replace(/\.pptx$/, '');
    const pages = section.images.map((image) => new RegExp(`^${stem}-(\\d+)\\.png$`).exec(image)?.[1]).filter((p) => p !== undefined).map(Number);
    await renderSlides(pptx, dir, pages);
  }
  for (const file of section.discard ?? []) rmSync(join(dir, file), { force: true });
  for (const file of filesUnder(dir)) {
    const png = file.replace(/\.svg$/, '.png');
    if (file.endsWith('.svg') && !existsSync(join(dir, png))) {
      writeFileAtomic(join(dir, png), svgToPng(readText(join(dir, file)), { scale: RUN_PNG_SCALE, background: '#ffffff' }));
    }
  }
}

/**
 * Runs sections two at a time on the bin (the machine has two cores), or one at a time on a
 * given runner (one in this process owns its working folder and standard output); resolves when all are done.
 */
export async function runGallerySections(sections: readonly GalleryRun[], dirOf: (section: GalleryRun) => string, run?: GalleryCommandRunner): Promise<void> {
  const queue = [...sections];
  const worker = async () => {
    for (let section = queue.shift(); section; section = queue.shift()) await runGallerySection(section, dirOf(section), run);
  };
  await Promise.all(run ? [worker()] : [worker(), worker()]);
}
