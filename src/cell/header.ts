/** Reads only a cell's name and title, without loading the expression parser (for `gateflow cells`). */
export interface CellHeader {
  readonly name?: string;
  readonly title?: string;
}

export function readCellHeader(text: string): CellHeader {
  const name = /^\s*cell:\s*(\S+)\s*$/m.exec(text)?.[1];
  const title = /^\s*title:\s*(.+?)\s*$/m.exec(text)?.[1];
  return { name, title };
}
