import type { Argv } from 'yargs';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { listCells, readCell, writeFileAtomic } from '../../io/index.js';

export function galleryCommand(cli: Argv): Argv {
  return cli.command(
    'gallery',
    'Regenerate the figure gallery (what `npm start` runs)',
    (y) => y.option('out', { type: 'string', default: 'out', describe: 'folder to write into' }),
    async (args) => {
      const { buildGallery, GALLERY_RUNS } = await import('../../gallery.js');
      const { runGallerySections, filesUnder } = await import('../gallery-runs.js');
      const sources = listCells().map((name) => ({ name, ...readCell(name) }));
      const files = await buildGallery(sources);
      for (const f of files) writeFileAtomic(join(args.out, f.path), f.content);
      // Each run section is built in a scratch folder and swapped in whole, so an
      // interrupted run never leaves a half-made section behind.
      const scratch = (dir: string) => join(args.out, `.${dir}.partial`);
      for (const section of GALLERY_RUNS) rmSync(scratch(section.dir), { recursive: true, force: true });
      await runGallerySections(GALLERY_RUNS, (section) => scratch(section.dir));
      let count = files.length;
      for (const section of GALLERY_RUNS) {
        const target = join(args.out, section.dir);
        if (existsSync(target)) rmSync(target, { recursive: true });
        renameSync(scratch(section.dir), target);
        count += filesUnder(target).length;
      }
      process.stdout.write(`wrote ${count} files to ${args.out}/\n`);
    },
  );
}
