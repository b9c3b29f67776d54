/**
 * `--theme auto`: one SVG that follows the viewer's light or dark preference. The figure
 * is drawn once with a stand-in colour per theme role (tokens); each token then becomes the
 * light theme's colour as an attribute (what any renderer draws) plus a class that an
 * embedded `@media (prefers-color-scheme: dark)` rule recolours with the dark theme's.
 * Numbers (widths, sizes) are the light theme's.
 */
import { mixColour } from './colour.js';
import type { Theme } from './theme.js';

/** One stand-in colour: what it is in each scheme. */
interface Token {
  readonly light: string;
  readonly dark: string;
}

export interface SchemeThemes {
  /** The light theme with every colour a token. */
  readonly theme: Theme;
  /** The same for faded parts (each scheme's colours blended into its own background). */
  readonly faded: Theme;
  readonly tokens: ReadonlyMap<string, Token>;
}

const HEX = /^#[0-9a-f]{6}$/i;
/** Tokens are #ab0000 upward: no theme colour reaches the SVG while they stand in, so none can clash. */
const tokenColour = (index: number) => `#${(0xab0000 + index).toString(16)}`;

/** Walk two themes of one shape in step, replacing each colour of `light` by a fresh token. */
function tokenise(light: unknown, dark: unknown, tokens: Map<string, Token>, fade: (colour: string, background: string) => string, backgrounds: [string, string]): unknown {
  if (typeof light === 'string' && HEX.test(light) && typeof dark === 'string') {
    const token = tokenColour(tokens.size);
    tokens.set(token, { light: fade(light, backgrounds[0]), dark: fade(dark, backgrounds[1]) });
    return token;
  }
  if (typeof light === 'object' && light !== null) {
    const other = dark as Record<string, unknown>;
    return Object.fromEntries(Object.entries(light).map(([key, value]) => [key, tokenise(value, other[key], tokens, fade, backgrounds)]));
  }
  return light;
}

/** Token themes for a light and a dark theme; `fadeToward` is how far faded colours move to the background. */
export function schemeThemes(light: Theme, dark: Theme, fadeToward: number): SchemeThemes {
  const tokens = new Map<string, Token>();
  const backgrounds: [string, string] = [light.background, dark.background];
  const theme = tokenise(light, dark, tokens, (c) => c, backgrounds) as Theme;
  const faded = tokenise(light, dark, tokens, (c, background) => mixColour(c, background, fadeToward), backgrounds) as Theme;
  return { theme, faded: { ...faded, background: theme.background }, tokens };
}

/** Replace each token by its light colour plus a class, and add the dark rules after <desc>. */
export function applyScheme(svg: string, tokens: ReadonlyMap<string, Token>): string {
  const used = new Map<string, { property: 'fill' | 'stroke'; index: number }>();
  const index = (token: string) => parseInt(token.slice(1), 16) - 0xab0000;
  const recoloured = svg.replace(/<[a-zA-Z][^>]*>/g, (tag) => {
    const classes: string[] = [];
    const out = tag.replace(/ (fill|stroke)="(#ab[0-9a-f]{4})"/g, (whole, property: 'fill' | 'stroke', token: string) => {
      const t = tokens.get(token);
      if (!t) return whole;
      const name = `${property[0]}${index(token)}`;
      used.set(name, { property, index: index(token) });
      classes.push(name);
      return ` ${property}="${t.light}"`;
    });
    return classes.length ? out.replace(/^<([a-zA-Z]+)/, `<$1 class="${classes.join(' ')}"`) : out;
  });
  const rules = [...used.entries()]
    .sort((a, b) => a[1].index - b[1].index || a[1].property.localeCompare(b[1].property))
    .map(([name, { property, index: i }]) => `.${name}{${property}:${tokens.get(tokenColour(i))!.dark}}`);
  const style = `<style>@media (prefers-color-scheme: dark){${rules.join('')}}</style>`;
  return recoloured.replace('</desc>', `</desc>\n${style}`);
}
