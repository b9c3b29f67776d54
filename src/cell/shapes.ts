/**
 * Symbolic shape inference by unification. Every value gets a shape term; a
 * parameter starts as an unknown and is pinned by how it is used (a matrix left
 * of a vector, a vector in a sum or an elementwise product). Conflicts report
 * both shapes as far as they are known.
 */
import type { Dim, Shape } from './types.js';

export type DimTerm = { readonly var: number } | { readonly name: Dim };
export type ShapeTerm = { readonly var: number } | { readonly dims: readonly DimTerm[] };

/** A concatenation's size: total = the sum of its parts, solved once the parts are known. */
interface SumConstraint<Tag> {
  readonly total: DimTerm;
  readonly parts: readonly DimTerm[];
  readonly tag: Tag;
  solved: boolean;
}

/** 'input' + 'hidden' → 'hidden+input' (names sorted); numbers are added; all numbers → a number. */
export function sumDims(dims: readonly Dim[]): Dim {
  let number = 0;
  const names: string[] = [];
  for (const d of dims) {
    for (const part of String(d).split('+')) {
      if (/^\d+$/.test(part)) number += Number(part);
      else names.push(part);
    }
  }
  if (!names.length) return number;
  // Sorted, so [h_prev; x] and a declared [hidden, input + hidden] agree.
  names.sort();
  return number ? `${names.join('+')}+${number}` : names.join('+');
}

/** total − Σ parts when every part's names occur in total and something positive is left. */
function subtractDims(total: Dim, parts: readonly Dim[]): Dim | undefined {
  const names = String(total).split('+').filter((p) => !/^\d+$/.test(p));
  let number = String(total).split('+').filter((p) => /^\d+$/.test(p)).reduce((a, p) => a + Number(p), 0);
  for (const part of parts.flatMap((p) => String(p).split('+'))) {
    if (/^\d+$/.test(part)) number -= Number(part);
    else if (names.includes(part)) names.splice(names.indexOf(part), 1);
    else return undefined;
  }
  if (number < 0 || (number === 0 && !names.length)) return undefined;
  return sumDims([...names, ...(number ? [number] : [])]);
}

export class Unifier<Tag = unknown> {
  private readonly sums: SumConstraint<Tag>[] = [];
  private readonly dimParent: number[] = [];
  private readonly dimValue: (Dim | undefined)[] = [];
  private readonly shapeParent: number[] = [];
  private readonly shapeValue: (readonly DimTerm[] | undefined)[] = [];

  newDim(): DimTerm {
    this.dimParent.push(this.dimParent.length);
    this.dimValue.push(undefined);
    return { var: this.dimParent.length - 1 };
  }

  newShape(): ShapeTerm {
    this.shapeParent.push(this.shapeParent.length);
    this.shapeValue.push(undefined);
    return { var: this.shapeParent.length - 1 };
  }

  private findDim(i: number): number {
    while (this.dimParent[i] !== i) i = this.dimParent[i] = this.dimParent[this.dimParent[i]];
    return i;
  }

  private findShape(i: number): number {
    while (this.shapeParent[i] !== i) i = this.shapeParent[i] = this.shapeParent[this.shapeParent[i]];
    return i;
  }

  /** The dims of a shape term if its rank is known. */
  dimsOf(s: ShapeTerm): readonly DimTerm[] | undefined {
    return 'dims' in s ? s.dims : this.shapeValue[this.findShape(s.var)];
  }

  dimValueOf(d: DimTerm): Dim | undefined {
    return 'name' in d ? d.name : this.dimValue[this.findDim(d.var)];
  }

  unifyDims(a: DimTerm, b: DimTerm): boolean {
    const va = this.dimValueOf(a);
    const vb = this.dimValueOf(b);
    if (va !== undefined && vb !== undefined) return va === vb;
    if ('var' in a && 'var' in b) {
      const ra = this.findDim(a.var);
      const rb = this.findDim(b.var);
      if (ra !== rb) {
        this.dimParent[ra] = rb;
        this.dimValue[rb] ??= this.dimValue[ra];
      }
      return true;
    }
    if ('var' in a) this.dimValue[this.findDim(a.var)] = vb;
    else if ('var' in b) this.dimValue[this.findDim(b.var)] = va;
    return true;
  }

  unify(a: ShapeTerm, b: ShapeTerm): boolean {
    const da = this.dimsOf(a);
    const db = this.dimsOf(b);
    if (da && db) {
      if (da.length !== db.length) return false;
      // Check first so that a failed unification leaves no partial bindings behind.
      for (let i = 0; i < da.length; i++) {
        const va = this.dimValueOf(da[i]);
        const vb = this.dimValueOf(db[i]);
        if (va !== undefined && vb !== undefined && va !== vb) return false;
      }
      return da.every((d, i) => this.unifyDims(d, db[i]));
    }
    if ('var' in a && 'var' in b) {
      const ra = this.findShape(a.var);
      const rb = this.findShape(b.var);
      if (ra !== rb) {
        this.shapeParent[ra] = rb;
        this.shapeValue[rb] ??= this.shapeValue[ra];
      }
      return true;
    }
    if ('var' in a) this.shapeValue[this.findShape(a.var)] = db;
    else if ('var' in b) this.shapeValue[this.findShape(b.var)] = da;
    return true;
  }

  /** Records total = Σ parts (a concatenation's size). */
  addSum(total: DimTerm, parts: readonly DimTerm[], tag: Tag): void {
    this.sums.push({ total, parts, tag, solved: false });
  }

  /**
   * Fixes the total of every sum whose parts are known (and a single unknown numeric part
   * when the total and the other parts are numbers). Returns the first sum whose total was
   * already something else, with both sizes.
   */
  solveSums(): { tag: Tag; expected: Dim; found: Dim } | undefined {
    for (let progress = true; progress; ) {
      progress = false;
      for (const sum of this.sums) {
        if (sum.solved) continue;
        const values = sum.parts.map((p) => this.dimValueOf(p));
        const total = this.dimValueOf(sum.total);
        if (values.every((v) => v !== undefined)) {
          const expected = sumDims(values as Dim[]);
          sum.solved = progress = true;
          if (!this.unifyDims(sum.total, { name: expected })) return { tag: sum.tag, expected, found: total! };
        } else if (total !== undefined && values.filter((v) => v === undefined).length === 1) {
          // One unknown part: the total minus the others ('hidden+input' − 'input' = 'hidden').
          const rest = subtractDims(total, values.filter((v): v is Dim => v !== undefined));
          if (rest !== undefined) {
            this.unifyDims(sum.parts[values.indexOf(undefined)], { name: rest });
            progress = true;
          }
        }
      }
    }
    return undefined;
  }

  /** The shape with every dim resolved, or undefined if anything is still unknown. */
  resolve(s: ShapeTerm): Shape | undefined {
    const dims = this.dimsOf(s);
    if (!dims) return undefined;
    const out: Dim[] = [];
    for (const d of dims) {
      const v = this.dimValueOf(d);
      if (v === undefined) return undefined;
      out.push(v);
    }
    return out;
  }

  /** For messages: '[hidden, ?]', or '?' when even the rank is unknown. */
  show(s: ShapeTerm): string {
    const dims = this.dimsOf(s);
    if (!dims) return '?';
    return `[${dims.map((d) => this.dimValueOf(d) ?? '?').join(', ')}]`;
  }
}

export function showShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}
