/**
 * Theme files: a shipped theme by name (templates/themes/NAME.json) or any path to
 * a .json file. Returns the text; the diagram stage's parseTheme checks it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { readText, THEMES_DIR, type SourceFile } from './fs.js';

/** Names of the shipped themes, sorted. */
export function listThemes(): string[] {
  return readdirSync(THEMES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function readTheme(nameOrPath: string): SourceFile {
  if (nameOrPath.includes('/') || nameOrPath.includes('\\') || nameOrPath.endsWith('.json')) {
    return { text: readText(nameOrPath, 'theme file', 'theme'), file: nameOrPath };
  }
  const path = join(THEMES_DIR, `${nameOrPath}.json`);
  if (!existsSync(path)) {
    throw new InputError(`unknown theme '${nameOrPath}' (themes: ${listThemes().join(', ')}; or give a path to a .json theme file)`);
  }
  return { text: readText(path, 'theme file', 'theme'), file: `templates/themes/${nameOrPath}.json` };
}
