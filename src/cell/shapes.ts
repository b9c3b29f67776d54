/**
 * Symbolic shape inference by unification. Every value gets a shape term; a
 * parameter starts as an unknown and is pinned by how it is used (a matrix left
 * of a vector, a vector in a sum or an elementwise product). Conflicts report
 * both shapes as far as they are known.
 */
import type { Dim, Shape } from './types.js';

export type DimTerm = { readonly var: number } | { readonly name: Dim };
export type ShapeTerm = { readonly var: number } | { readonly dims: readonly DimTerm[] };

export class Unifier {
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
