import { writeFileAtomic } from '../io/index.js';

/** Names of standard output: '-', and /dev/stdout (which a socket, as under execFile, cannot reopen). */
export const isStdout = (target: string): boolean => target === '-' || target === '/dev/stdout';

/** Standard output, or a file written atomically and named on stderr ('wrote PATH'). */
export function writeOutput(target: string, data: string | Uint8Array): void {
  if (isStdout(target)) {
    process.stdout.write(data);
    return;
  }
  writeFileAtomic(target, data);
  if (!target.startsWith('/dev/')) process.stderr.write(`wrote ${target}\n`);
}

/** A warning the run survives, on stderr so that standard output stays the result. */
export function warn(message: string): void {
  process.stderr.write(`gateflow: warning: ${message}\n`);
}

/**
 * A vega-lite chart as PATH.svg and PATH.png (on `background`, default white; undefined
 * leaves it transparent). Returns the two paths.
 */
export async function writeChart(spec: import('../plot/index.js').ChartSpec, path: string, background: string | undefined = 'white'): Promise<string[]> {
  const { renderChart } = await import('../plot/index.js');
  const { svgToPng } = await import('../io/index.js');
  const svg = await renderChart(spec);
  writeFileAtomic(`${path}.svg`, svg);
  writeFileAtomic(`${path}.png`, svgToPng(svg, background === undefined ? {} : { background }));
  return [`${path}.svg`, `${path}.png`];
}

/** A shipped theme by name or a theme file by path, read and checked. */
export async function loadTheme(nameOrPath: string): Promise<import('../diagram/index.js').Theme> {
  const { readTheme } = await import('../io/theme.js');
  const { parseTheme } = await import('../diagram/theme.js');
  const source = readTheme(nameOrPath);
  return parseTheme(source.text, source.file);
}

/** A figure's SVG as the bytes of the format asked for: PNG at `scale`, vector PDF titled `title`, or the SVG itself. */
export async function figureBytes(svg: string, format: 'svg' | 'png' | 'pdf', options: { scale: number; title: string }): Promise<string | Uint8Array> {
  if (format === 'png') {
    const { svgToPng } = await import('../io/raster.js');
    return svgToPng(svg, { scale: options.scale });
  }
  if (format === 'pdf') {
    const { svgToPdf } = await import('../io/pdf.js');
    return svgToPdf(svg, { title: options.title });
  }
  return svg;
}
