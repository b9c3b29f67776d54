import { writeFileAtomic } from '../io/index.js';

/** '-' is standard output; anything else is written atomically. */
export function writeOutput(target: string, data: string | Uint8Array): void {
  if (target === '-') process.stdout.write(data);
  else writeFileAtomic(target, data);
}
