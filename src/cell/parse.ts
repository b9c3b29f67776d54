/**
 * Text → CellGraph: split the source, parse each statement with mathjs, lower
 * to nodes, infer shapes, and check the graph. Every failure is a CellError
 * located at file:line:column.
 */
import { CellError, type Span } from '../errors.js';
import { lowerExpression, type DraftNode } from './lower.js';
import { parseStatement, symbolsOf, type Parsed } from './statement-parse.js';
import { Unifier, type ShapeTerm } from './shapes.js';
import { misspeltHint } from './lint.js';
import { splitSource, type CellSource, type NameDecl, type ParamDecl, type StatementSource } from './source.js';
import type { ActivationName, CellGraph, CellNode, Declared, ReductionName, Shape, Statement } from './types.js';

export interface ParseOptions {
  /** Shown in error messages and kept on the graph. */
  readonly file?: string;
  /**
   * The longest text parsed, in UTF-16 code units (default DEFAULT_MAX_CELL_LENGTH). A cell is a
   * few KB; a multi-megabyte string would exhaust the heap in the parser before any error.
   */
  readonly maxLength?: number;
}

/** 1 Mi code units: the same as the 1 MB read limit of a .cell file (a UTF-8 byte is at most one code unit). */
export const DEFAULT_MAX_CELL_LENGTH = 1024 * 1024;

const PREV = '_prev';
/** The name of the identity matrix in expressions: (W - W' - gamma * I) * h_prev. */
const IDENTITY = 'I';

/** A statement parsed by mathjs, with the source it came from. */
type ParsedStatement = Parsed & { readonly source: StatementSource };

/**
 * The statements lowered to draft nodes: leaves (one per name used) and statement nodes, with
 * shapes still terms of `unifier`.
 */
interface Lowered {
  readonly unifier: Unifier<Span>;
  readonly nodes: DraftNode[];
  readonly leaves: Map<string, DraftNode>;
  /** Every leaf and statement target read by some statement. */
  readonly used: Set<string>;
  /** Each statement's target → its root node. */
  readonly roots: Map<string, DraftNode>;
  readonly statements: Statement[];
}

/** Shapes by position (leafShapes[i] for leafList[i], nodeShapes[i] for lowered.nodes[i]). */
interface Shapes {
  readonly leafList: DraftNode[];
  readonly leafShapes: Shape[];
  readonly nodeShapes: Shape[];
}

export function parseCell(text: string, options: ParseOptions = {}): CellGraph {
  const file = options.file ?? '<cell>';
  checkLength(text, file, options.maxLength ?? DEFAULT_MAX_CELL_LENGTH);
  const source = splitSource(text, file);
  const declaredAt = checkDeclarations(source, file);
  const parsed: ParsedStatement[] = source.statements.map((s) => ({ source: s, ...parseStatement(s, file) }));
  const targetLine = checkTargets(parsed, declaredAt, source.states);
  const lowered = lowerStatements(source, parsed, targetLine, file);
  checkAllUsed(source, lowered, file);
  const shapes = resolveShapes(lowered, source);
  return assembleGraph(source, file, lowered, shapes);
}

function headerSpanOf(file: string): Span {
  return { file, line: 1, column: 1, length: 1 };
}

function checkLength(text: string, file: string, maxLength: number): void {
  if (text.length > maxLength) {
    throw new CellError(headerSpanOf(file), `the cell text is ${text.length} characters long, above the limit of ${maxLength} (a cell is a few KB; raise the limit with the maxLength option)`);
  }
}

/** Declarations: inputs, states, noises, params. Names must be unique; returns where each is declared. */
function checkDeclarations(source: CellSource, file: string): Map<string, Span> {
  if (source.inputs.length === 0) {
    throw new CellError(source.statements[0] ? { file, line: source.statements[0].line, column: 1, length: 1 } : headerSpanOf(file), "the cell declares no input (add a line 'input: x')");
  }
  for (const d of [...source.inputs, ...source.states, ...source.noises, ...source.params]) {
    if (d.name === IDENTITY) throw new CellError(d.span, `'${IDENTITY}' is the identity matrix and cannot be declared; choose another name`);
  }
  const declaredAt = new Map<string, Span>();
  const declare = (name: string, span: Span, what: string): void => {
    const earlier = declaredAt.get(name);
    if (earlier) throw new CellError(span, `${what} '${name}' is already declared on line ${earlier.line}`);
    declaredAt.set(name, span);
  };
  for (const d of source.inputs) declare(d.name, d.span, 'input');
  for (const d of source.states) {
    if (d.name.endsWith(PREV)) throw new CellError(d.span, `a state's name must not end in '${PREV}'; '${d.name}${PREV.slice(0, 0)}' is written NAME${PREV} only when used`);
    declare(d.name, d.span, 'state');
  }
  for (const d of source.noises) declare(d.name, d.span, 'noise input');
  for (const d of source.params) declare(d.name, d.span, 'parameter');
  return declaredAt;
}

/** Targets: each assigned once, never an input, noise or parameter. Returns target → statement index. */
function checkTargets(parsed: readonly ParsedStatement[], declaredAt: ReadonlyMap<string, Span>, states: readonly NameDecl[]): Map<string, number> {
  const targetLine = new Map<string, number>();
  parsed.forEach((p, index) => {
    if (targetLine.has(p.target)) {
      throw new CellError(p.targetSpan, `'${p.target}' is assigned twice (first on line ${parsed[targetLine.get(p.target)!].source.line}); each name is assigned once per step`);
    }
    const declared = declaredAt.get(p.target);
    if (p.target === IDENTITY) throw new CellError(p.targetSpan, `'${IDENTITY}' is the identity matrix and cannot be assigned; choose another name`);
    if (declared && !states.some((s) => s.name === p.target)) {
      throw new CellError(p.targetSpan, `'${p.target}' is declared on line ${declared.line} as an input, noise or parameter and cannot be assigned`);
    }
    if (p.target.endsWith(PREV)) throw new CellError(p.targetSpan, `'${p.target}' is the previous step's value and cannot be assigned; assign '${p.target.slice(0, -PREV.length)}' instead`);
    targetLine.set(p.target, index);
  });
  return targetLine;
}

/** A finder of a path of same-step references from `from` back to `to` (for the cycle message). */
function cycleFinder(parsed: readonly ParsedStatement[], targetLine: ReadonlyMap<string, number>): (from: string, to: string) => string[] | undefined {
  const references = parsed.map((p) => new Set(symbolsOf(p.value).filter((n) => targetLine.has(n))));
  return (from, to) => {
    const stack: string[][] = [[from]];
    const seen = new Set<string>();
    while (stack.length) {
      const path = stack.pop()!;
      const last = path[path.length - 1];
      if (last === to) return path;
      if (seen.has(last)) continue;
      seen.add(last);
      for (const next of references[targetLine.get(last)!]) stack.push([...path, next]);
    }
    return undefined;
  };
}

function termOf(dims: readonly string[]): ShapeTerm {
  return { dims: dims.map((d) => ({ name: /^\d+$/.test(d) ? Number(d) : d })) };
}

/** Lowers every statement in order, each name it reads resolved to a leaf or an earlier statement's root. */
function lowerStatements(source: CellSource, parsed: readonly ParsedStatement[], targetLine: ReadonlyMap<string, number>, file: string): Lowered {
  const lowered: Lowered = { unifier: new Unifier<Span>(), nodes: [], leaves: new Map(), used: new Set(), roots: new Map(), statements: [] };
  const names = new SymbolResolver(source, parsed, targetLine, lowered);
  const stateDecl = new Map(source.states.map((d) => [d.name, d]));
  for (const p of parsed) lowerStatement(p, file, lowered, (name, span) => names.resolve(name, span, p), stateDecl.get(p.target));
  return lowered;
}

/** Lowers one statement and records its root; a state's update must have the state's shape. */
function lowerStatement(p: ParsedStatement, file: string, lowered: Lowered, resolve: (name: string, span: Span) => DraftNode, state: NameDecl | undefined): void {
  const { unifier } = lowered;
  const emitted: DraftNode[] = [];
  let root = lowerExpression(p, file, p.source.line, unifier, resolve, (n) => emitted.push(n));
  if (emitted[emitted.length - 1] !== root) {
    // A plain rename (h = c, y = x_prev): the same value under a new name.
    const span = { ...p.targetSpan, length: p.source.text.length - (p.targetSpan.column - p.source.column) };
    root = { id: p.target, kind: 'copy', inputs: [root.id], term: root.term, span, statement: p.target, scalar: root.scalar };
    emitted.push(root);
  }
  root.id = p.target;
  if (state) {
    const declared = leafTerm(unifier, state, 'hidden');
    if (!unifier.unify(root.term, declared)) {
      throw new CellError(p.targetSpan, `shape conflict: state '${p.target}' is ${unifier.show(declared)} but its update is ${unifier.show(root.term)}`);
    }
  }
  lowered.roots.set(p.target, root);
  // A loop, not push(...emitted): a statement nested 160,000 deep emits more nodes than a call takes arguments.
  for (const n of emitted) lowered.nodes.push(n);
  lowered.statements.push({ target: p.target, root: root.id, span: p.targetSpan, text: p.source.text });
}

/** A declared name's shape term: its written dims, else one named dim, else unknown. */
function leafTerm(unifier: Unifier<Span>, d: NameDecl | undefined, fallback: string | undefined): ShapeTerm {
  return d?.dims ? termOf(d.dims) : fallback ? termOf([fallback]) : unifier.newShape();
}

/**
 * How a name a statement reads resolves: an earlier statement's root, or a leaf (input, previous
 * state or input, noise, identity, parameter) made once on first use and then shared.
 */
class SymbolResolver {
  private readonly findCycle: (from: string, to: string) => string[] | undefined;
  private readonly inputDecl: Map<string, NameDecl>;
  private readonly stateDecl: Map<string, NameDecl>;
  private readonly noiseDecl: Map<string, NameDecl>;
  private readonly paramDecl: Map<string, ParamDecl>;

  constructor(
    source: CellSource,
    private readonly parsed: readonly ParsedStatement[],
    private readonly targetLine: ReadonlyMap<string, number>,
    private readonly lowered: Lowered,
  ) {
    this.findCycle = cycleFinder(parsed, targetLine);
    this.inputDecl = new Map(source.inputs.map((d) => [d.name, d]));
    this.stateDecl = new Map(source.states.map((d) => [d.name, d]));
    this.noiseDecl = new Map(source.noises.map((d) => [d.name, d]));
    this.paramDecl = new Map(source.params.map((d) => [d.name, d]));
  }

  /** `name` as read by statement `p`. */
  resolve(name: string, span: Span, p: ParsedStatement): DraftNode {
    const { roots, unifier } = this.lowered;
    if (roots.has(name)) {
      this.lowered.used.add(name);
      return roots.get(name)!;
    }
    if (this.targetLine.has(name)) throw this.notYetAssigned(name, span, p);
    if (name.endsWith(PREV) && name.length > PREV.length) return this.previous(name, span, p);
    if (this.stateDecl.has(name)) {
      // A state read before its assignment in this step.
      throw new CellError(span, `'${name}' is used before it is defined; write ${name}${PREV} for the previous step's value`);
    }
    const input = this.inputDecl.get(name);
    if (input) return this.leaf(name, () => ({ id: name, kind: 'input', name, inputs: [], term: leafTerm(unifier, input, 'input'), span: input.span, statement: '' }));
    const noise = this.noiseDecl.get(name);
    if (noise) return this.leaf(name, () => ({ id: name, kind: 'noise', name, inputs: [], term: leafTerm(unifier, noise, undefined), span, statement: '' }));
    if (name === IDENTITY) {
      // The identity matrix: square, its size unified from use.
      return this.leaf(name, () => {
        const d = unifier.newDim();
        return { id: name, kind: 'identity', inputs: [], term: { dims: [d, d] }, span, statement: '' };
      });
    }
    const declared = this.paramDecl.get(name);
    return this.leaf(name, () => ({ id: name, kind: 'param', name, inputs: [], term: declared ? termOf(declared.dims) : unifier.newShape(), span, statement: '' }));
  }

  /** NAME_prev: the previous step's state, or input (zero at the first step). */
  private previous(name: string, span: Span, p: ParsedStatement): DraftNode {
    const state = name.slice(0, -PREV.length);
    const input = this.inputDecl.get(state);
    if (input) {
      // The previous step's input: the input is used too.
      const current = this.resolve(state, span, p);
      return this.leaf(name, () => ({ id: name, kind: 'input_prev', name: state, inputs: [], term: current.term, span: input.span, statement: '' }));
    }
    const decl = this.stateDecl.get(state);
    if (!decl) throw new CellError(span, `'${name}' refers to the previous value of '${state}', which is not a declared state or input (add it to 'state:')`);
    return this.leaf(name, () => ({ id: name, kind: 'state', name: state, inputs: [], term: leafTerm(this.lowered.unifier, decl, 'hidden'), span: decl.span, statement: '' }));
  }

  /** The leaf under `key`, made on first use; marks it used. */
  private leaf(key: string, make: () => DraftNode): DraftNode {
    let node = this.lowered.leaves.get(key);
    if (!node) {
      node = make();
      this.lowered.leaves.set(key, node);
    }
    this.lowered.used.add(key);
    return node;
  }

  /** A name assigned by some statement but not yet: itself, a cycle, or a use before its definition. */
  private notYetAssigned(name: string, span: Span, p: ParsedStatement): CellError {
    if (name === p.target) {
      const hint = this.stateDecl.has(name) ? `; write ${name}${PREV} for the previous step's value` : '';
      return new CellError(span, `cycle within one step: '${name}' depends on itself${hint}`);
    }
    const cycle = this.findCycle(name, p.target);
    if (cycle) return new CellError(span, `cycle within one step: ${[p.target, ...cycle].join(' → ')}`);
    return new CellError(span, `'${name}' is used before it is defined (it is assigned on line ${this.parsed[this.targetLine.get(name)!].source.line})`);
  }
}

/** Every state assigned, every declared name used, and at least one statement. */
function checkAllUsed(source: CellSource, lowered: Lowered, file: string): void {
  const { roots, used } = lowered;
  for (const d of source.states) {
    if (!roots.has(d.name)) throw new CellError(d.span, `state '${d.name}' is declared but never assigned (add a line '${d.name} = ...')`);
  }
  for (const d of source.inputs) if (!used.has(d.name)) throw new CellError(d.span, `input '${d.name}' is declared but never used`);
  for (const d of source.noises) if (!used.has(d.name)) throw new CellError(d.span, `noise input '${d.name}' is declared but never used`);
  for (const d of source.params) if (!used.has(d.name)) throw new CellError(d.span, `parameter '${d.name}' is declared but never used`);
  if (lowered.statements.length === 0) throw new CellError(headerSpanOf(file), 'the cell has no statement (NAME = expression)');
}

/**
 * Solves the shape terms; every leaf must have a fully known shape (the first use of one that has
 * not is reported), then every node. By position: a Map keyed by the nodes gave each of them an
 * identity hash, one more allocation per node.
 */
function resolveShapes(lowered: Lowered, source: CellSource): Shapes {
  const { unifier } = lowered;
  const conflict = unifier.solveSums();
  if (conflict) throw new CellError(conflict.tag, `shape conflict: the stacked vector has size ${conflict.expected} but is used as size ${conflict.found}`);
  const leafList = [...lowered.leaves.values()];
  const leafShapes: Shape[] = [];
  for (const node of leafList) {
    const shape = unifier.resolve(node.term);
    if (!shape && node.kind === 'identity') throw new CellError(node.span, `cannot infer the size of the identity matrix '${IDENTITY}'; use it beside a matrix or vector of known size`);
    if (!shape) {
      const what = node.kind === 'param' ? 'parameter' : node.kind === 'noise' ? 'noise input' : node.kind;
      const known = unifier.show(node.term);
      const paramDecl = new Map(source.params.map((d) => [d.name, d]));
      throw new CellError(
        node.span,
        `cannot infer the shape of ${what} '${node.id}' (known: ${known}); declare it with 'param ${node.id}: [rows, cols]' or use it beside a value of known shape${misspeltHint(leafList, paramDecl, source)}`,
      );
    }
    leafShapes.push(shape);
  }
  const nodeShapes: Shape[] = [];
  for (const node of lowered.nodes) {
    const shape = unifier.resolve(node.term);
    if (!shape) throw new CellError(node.span, `cannot infer the shape of this expression (known: ${unifier.show(node.term)})`);
    nodeShapes.push(shape);
  }
  return { leafList, leafShapes, nodeShapes };
}

/**
 * One object per node, its keys in the IR's order (id, inputs, shape, span, statement, kind, then
 * the kind's own field): toJson writes them in this order. Built whole rather than spread from
 * a shared base, which made a 60,000-node cell spend its time copying and collecting.
 */
function finishNode(d: DraftNode, shape: Shape): CellNode {
  switch (d.kind) {
    case 'input':
    case 'state':
    case 'param':
    case 'noise':
    case 'input_prev':
      return { id: d.id, inputs: d.inputs, shape, span: d.span, statement: d.statement, kind: d.kind, name: d.name! };
    case 'const':
      return { id: d.id, inputs: d.inputs, shape, span: d.span, statement: d.statement, kind: 'const', value: d.value! };
    case 'activation':
      return { id: d.id, inputs: d.inputs, shape, span: d.span, statement: d.statement, kind: 'activation', fn: d.fn as ActivationName };
    case 'reduce':
      return { id: d.id, inputs: d.inputs, shape, span: d.span, statement: d.statement, kind: 'reduce', fn: d.fn as ReductionName };
    default:
      return { id: d.id, inputs: d.inputs, shape, span: d.span, statement: d.statement, kind: d.kind } as CellNode;
  }
}

/** Leaves first in a fixed order (inputs, states, noises, params by first use), then statement nodes. */
function finalNodes(lowered: Lowered, shapes: Shapes): CellNode[] {
  const order = { input: 0, input_prev: 1, state: 1, noise: 2, param: 3 } as Record<string, number>;
  const sortedLeaves = shapes.leafList
    .map((node, index) => ({ node, index }))
    .sort((a, b) => order[a.node.kind] - order[b.node.kind] || a.index - b.index);
  const nodes: CellNode[] = [];
  for (const { node, index } of sortedLeaves) nodes.push(finishNode(node, shapes.leafShapes[index]));
  lowered.nodes.forEach((node, index) => nodes.push(finishNode(node, shapes.nodeShapes[index])));
  return nodes;
}

/** The declared outputs (each must be assigned), else the states, else the last statement's target. */
function outputsOf(source: CellSource, lowered: Lowered): string[] {
  if (source.outputs.length) {
    return source.outputs.map((o) => {
      if (!lowered.roots.has(o.name)) throw new CellError(o.span, `output '${o.name}' is not assigned by any statement`);
      return o.name;
    });
  }
  return source.states.length ? source.states.map((s) => s.name) : [lowered.statements[lowered.statements.length - 1].target];
}

/** The named dims of every shape, sorted. Each distinct dim is split once (a sum 'hidden+input' names two); nodes share a few dims. */
function dimNames(nodes: readonly CellNode[]): string[] {
  const dims = new Set<string>();
  const seenDims = new Set<string>();
  for (const n of nodes) {
    for (const d of n.shape) {
      if (typeof d !== 'string' || seenDims.has(d)) continue;
      seenDims.add(d);
      for (const part of d.split('+')) if (!/^\d+$/.test(part)) dims.add(part);
    }
  }
  return [...dims].sort();
}

function assembleGraph(source: CellSource, file: string, lowered: Lowered, shapes: Shapes): CellGraph {
  const nodes = finalNodes(lowered, shapes);
  const declared = (kind: 'input' | 'state' | 'noise' | 'param'): Declared[] =>
    nodes
      .filter((n) => n.kind === kind)
      .map((n) => ({ name: kind === 'state' ? (n as { name: string }).name : n.id, shape: n.shape, span: n.span }));
  // States are listed in declaration order, whatever order their _prev is first used in.
  const states = source.states.map((d) => ({ name: d.name, shape: shapes.nodeShapes[lowered.nodes.indexOf(lowered.roots.get(d.name)!)], span: d.span }));
  const inputs = source.inputs.map((d) => ({ name: d.name, shape: shapes.leafShapes[shapes.leafList.indexOf(lowered.leaves.get(d.name)!)], span: d.span }));
  const outputs = outputsOf(source, lowered);
  const name = source.name?.value ?? (file.replace(/^.*[\\/]/, '').replace(/\.cell$/, '') || 'cell');
  return {
    name,
    title: source.title ?? name,
    file,
    description: source.description,
    inputs,
    states,
    params: declared('param'),
    noises: declared('noise'),
    statements: lowered.statements,
    outputs,
    outputsDeclared: source.outputs.length > 0,
    nodes,
    dims: dimNames(nodes),
  };
}
