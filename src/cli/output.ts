import { writeFileAtomic } from '../io/index.js';

/** '-' is standard output; anything else is written atomically. */
export function writeOutput(target: string, data: string | Uint8Array): void {
  if (target === '-') process.stdout.write(data);
  else writeFileAtomic(target, data);
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
