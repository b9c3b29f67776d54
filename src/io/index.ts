export { readCell, listCells, readText, readBytes, writeFileAtomic, TEMPLATES_DIR, CELLS_DIR, THEMES_DIR, type SourceFile } from './fs.js';
export { svgToPng, type PngOptions } from './raster.js';
