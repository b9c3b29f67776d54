import type { Argv } from 'yargs';
import { join } from 'node:path';
import { listCells, readCell, writeFileAtomic } from '../../io/index.js';

export function galleryCommand(cli: Argv): Argv {
  return cli.command(
    'gallery',
    'Regenerate the figure gallery (what `npm start` runs)',
    (y) => y.option('out', { type: 'string', default: 'out', describe: 'folder to write into' }),
    async (args) => {
      const { buildGallery } = await import('../../gallery.js');
      const sources = listCells().map((name) => ({ name, ...readCell(name) }));
      const files = await buildGallery(sources);
      for (const f of files) writeFileAtomic(join(args.out, f.path), f.content);
      process.stdout.write(`wrote ${files.length} files to ${args.out}/\n`);
    },
  );
}
