/** Reads only a cell's name and title, without loading the expression parser (for `gateflow cells`). */
export interface CellHeader {
  readonly name?: string;
  readonly title?: string;
}

export function readCellHeader(text: string): CellHeader {
  // Line by line rather than one /^\s*title:\s*(.+?)\s*$/m: that regex backtracks quadratically over long runs of blanks.
  let name: string | undefined;
  let title: string | undefined;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (name === undefined && trimmed.startsWith('cell:')) {
      const value = trimmed.slice('cell:'.length).trim();
      if (value !== '' && !/\s/.test(value)) name = value;
    } else if (title === undefined && trimmed.startsWith('title:')) {
      const value = trimmed.slice('title:'.length).trim();
      if (value !== '') title = value;
    }
  }
  return { name, title };
}
