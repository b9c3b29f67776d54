/** A one-line progress bar on stderr for long-running commands (training), redrawn at most 10 times a second. */
export interface ProgressBar {
  update(label: string, done: number, total: number, detail: string): void;
  done(): void;
}

/** `--progress` when given, else only when stderr is a terminal (never into a log file). */
export function progressBar(flag: boolean | undefined, widthChars: number): ProgressBar {
  const enabled = flag ?? Boolean(process.stderr.isTTY);
  let last = 0;
  return {
    update(label, done, total, detail) {
      if (!enabled) return;
      const now = Date.now();
      if (done < total && now - last < 100) return;
      last = now;
      const filled = Math.round((widthChars * done) / total);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${'.'.repeat(widthChars - filled)}] ${done}/${total} ${detail}\x1b[K`);
    },
    done() {
      if (enabled) process.stderr.write('\r\x1b[K');
    },
  };
}
