/**
 * Engine stage: exp, expm1, tanh and the logistic as scalar float64 WebAssembly functions that
 * give the same bits as JavaScript's Math.exp and Math.tanh (and the tape's sigmoid built on
 * Math.exp). V8 computes those with its port of fdlibm (v8/src/base/ieee754.cc: exp, expm1,
 * tanh, after FreeBSD's msun); the code below makes the same IEEE operations in the same order
 * (WebAssembly has no contraction into fused multiply-adds and rounds each one to float64),
 * so the engine's exact mode (a trace's) can run its functions in WebAssembly and still agree
 * with mathjs to the bit. tests/engine/exact-math.test.ts compares them on generated doubles
 * over the whole range and the edges (`npm run test:exact-math` for millions).
 */
import { get, i32, op, set, uleb, vec } from './wasm-bytes.js';

const F64 = 0x7c;
const I32 = 0x7f;
/** The module type (f64) → f64 these functions have. */
export const F64_TO_F64 = [0x60, 1, F64, 1, F64];

// Opcodes beyond wasm-bytes.ts's.
const f = { add: 0xa0, sub: 0xa1, mul: 0xa2, div: 0xa3, abs: 0x99, neg: 0x9a, eq: 0x61, lt: 0x63, gt: 0x64, ge: 0x66, fromI32: 0xb7 };
const i = { and: 0x71, or: 0x72, shl: 0x74, shrS: 0x75, shrU: 0x76, eqz: 0x45, eq: 0x46, ltS: 0x48, ltU: 0x49, gtS: 0x4a, gtU: 0x4b, leS: 0x4c, geS: 0x4e, geU: 0x4f, add32: 0x6a, sub32: 0x6b };
const RETURN = 0x0f;
const CALL = 0x10;
const ELSE = 0x05;

const c = (v: number): number[] => [op.f64Const, ...new Uint8Array(new Float64Array([v]).buffer)];
const k = i32;
/** if (cond) { then } with no value; `otherwise` adds an else. */
const when = (cond: number[], then: number[], otherwise?: number[]): number[] => [...cond, 0x04, 0x40, ...then, ...(otherwise ? [ELSE, ...otherwise] : []), op.end];
/** cond ? a : b as an f64 value. */
const pick = (cond: number[], a: number[], b: number[]): number[] => [...cond, 0x04, F64, ...a, ELSE, ...b, op.end];
/** An i32 value: cond ? a : b. */
function pickI32(cond: number[], a: number[], b: number[]): number[] {
  return [...cond, 0x04, I32, ...a, ELSE, ...b, op.end];
}
const ret = (value: number[]): number[] => [...value, RETURN];
/**
 * What a function body does with each value it returns: `post` turns it into the caller's (so
 * sigmoid and tanh hold exp's and expm1's bodies inline, one call a lane instead of two, with
 * the same operations in the same order); `r` returns it.
 */
type Post = (value: number[]) => number[];
const identity: Post = (value) => value;
const returning = (post: Post) => (value: number[]): number[] => [...post(value), RETURN];
/** The high 32 bits of the double in local x (GET_HIGH_WORD). */
const highWord = (x: number): number[] => [...get(x), 0xbd /* i64.reinterpret_f64 */, 0x42, 32 /* i64.const 32 */, 0x88 /* i64.shr_u */, 0xa7 /* i32.wrap_i64 */];
const lowWord = (x: number): number[] => [...get(x), 0xbd, 0xa7];
/** The double whose high word is the i32 on the stack and whose low word is 0 (INSERT_WORDS(d, hi, 0)). */
const fromHighWord = (hi: number[]): number[] => [...hi, 0xad /* i64.extend_i32_u */, 0x42, 32, 0x86 /* i64.shl */, 0xbf /* f64.reinterpret_i64 */];
/** The f64 on the stack converted to i32 by truncation, as C's (int) does in range. */
const truncate = [0xfc, 0x02 /* i32.trunc_sat_f64_s */];
const bin = (a: number[], code: number, b: number[]): number[] => [...a, ...b, code];
/** Horner's scheme as fdlibm writes it: c0 + t·(c1 + t·(c2 + …)). */
const horner = (t: number[], coefficients: readonly number[]): number[] =>
  coefficients.slice(0, -1).reduceRight<number[]>((acc, co) => bin(c(co), f.add, bin(t, f.mul, acc)), c(coefficients[coefficients.length - 1]!));

const INF = Infinity;

/** fdlibm's exp (e_exp.c as in ieee754.cc), each result through `post`. Locals: 0 x; i32 1 hx, 2 xsb, 3 k; f64 4 hi, 5 lo, 6 t, 7 cc, 8 y, 9 twopk. */
function expInstructions(post: Post): number[] {
  const [X, HX, XSB, K, HI, LO, T, CC, Y, TWOPK] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const r = returning(post);
  const ln2HI = 6.93147180369123816490e-01, ln2LO = 1.90821492927058770002e-10;
  return [
    ...highWord(X), ...set(HX),
    ...get(HX), ...k(31), i.shrU, ...k(1), i.and, ...set(XSB),
    ...get(HX), ...k(0x7fffffff), i.and, ...set(HX),
    // Non-finite, overflowing and underflowing arguments.
    ...when([...get(HX), ...k(0x40862e42), i.geU], [
      ...when([...get(HX), ...k(0x7ff00000), i.geU], [
        ...when([...get(HX), ...k(0xfffff), i.and, ...lowWord(X), i.or], r(bin(get(X), f.add, get(X)))), // NaN
        ...r(pick([...get(XSB), i.eqz], get(X), c(0))), // exp(±inf) = inf, 0
      ]),
      ...when(bin(get(X), f.gt, c(7.09782712893383973096e2)), r(c(INF))), // huge·huge
      ...when(bin(get(X), f.lt, c(-7.45133219101941108420e2)), r(c(0))), // twom1000·twom1000
    ]),
    // Argument reduction: x = k·ln2 + r, |r| ≤ ln2 / 2.
    ...when([...get(HX), ...k(0x3fd62e42), i.gtU], [
      ...when([...get(HX), ...k(0x3ff0a2b2), i.ltU], [
        ...when(bin(get(X), f.eq, c(1)), r(c(2.718281828459045))), // V8 returns E for exp(1)
        ...bin(get(X), f.sub, pick(get(XSB), c(-ln2HI), c(ln2HI))), ...set(HI),
        ...pick(get(XSB), c(-ln2LO), c(ln2LO)), ...set(LO),
        ...k(1), ...get(XSB), i.sub32, ...get(XSB), i.sub32, ...set(K),
      ], [
        ...bin(bin(c(1.44269504088896338700), f.mul, get(X)), f.add, pick(get(XSB), c(-0.5), c(0.5))), ...truncate, ...set(K),
        ...get(K), f.fromI32, ...set(T),
        ...bin(get(X), f.sub, bin(get(T), f.mul, c(ln2HI))), ...set(HI),
        ...bin(get(T), f.mul, c(ln2LO)), ...set(LO),
      ]),
      ...bin(get(HI), f.sub, get(LO)), ...set(X),
    ], [
      // |x| < 2⁻²⁸: 1 + x (fdlibm's huge + x > 1 always holds here); else k = 0.
      ...when([...get(HX), ...k(0x3e300000), i.ltU], r(bin(c(1), f.add, get(X)))),
      ...k(0), ...set(K),
    ]),
    ...bin(get(X), f.mul, get(X)), ...set(T),
    ...fromHighWord(pickI32([...get(K), ...k(-1021), i.geS], [...k(0x3ff00000), ...get(K), ...k(20), i.shl, i.add32], [...k(0x3ff00000), ...get(K), ...k(1000), i.add32, ...k(20), i.shl, i.add32])), ...set(TWOPK),
    ...bin(get(X), f.sub, bin(get(T), f.mul, horner(get(T), [1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05, -1.65339022054652515390e-06, 4.13813679705723846039e-08]))), ...set(CC),
    ...when([...get(K), i.eqz], r(bin(c(1), f.sub, bin(bin(bin(get(X), f.mul, get(CC)), f.div, bin(get(CC), f.sub, c(2))), f.sub, get(X))))),
    ...bin(c(1), f.sub, bin(bin(get(LO), f.sub, bin(bin(get(X), f.mul, get(CC)), f.div, bin(c(2), f.sub, get(CC)))), f.sub, get(HI))), ...set(Y),
    ...when([...get(K), ...k(-1021), i.geS], [
      ...when([...get(K), ...k(1024), i.eq], r(bin(bin(get(Y), f.mul, c(2)), f.mul, c(2 ** 1023)))),
      ...r(bin(get(Y), f.mul, get(TWOPK))),
    ]),
    ...post(bin(bin(get(Y), f.mul, get(TWOPK)), f.mul, c(2 ** -1000))),
  ];
}

/** exp's locals beyond its argument (EXP_LOCALS more follow them in sigmoid). */
const EXP_LOCALS: [number, number][] = [[3, I32], [6, F64]];

function expBody(): number[] {
  return code(EXP_LOCALS, expInstructions(identity));
}

/** expm1's locals: 0 x; i32 1 hx, 2 xsb, 3 k; f64 4 hi, 5 lo, 6 cc, 7 t, 8 e, 9 hxs, 10 hfx, 11 r1, 12 y, 13 twopk. */
const EXPM1_LOCALS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] as const;

/** expm1's special arguments (huge, non-finite, tiny) and its reduction x = k·ln2 + (hi − lo), cc the reduction's error. */
function expm1Reduce(r: Post): number[] {
  const [X, HX, XSB, K, HI, LO, CC, T] = EXPM1_LOCALS;
  const ln2HI = 6.93147180369123816490e-01, ln2LO = 1.90821492927058770002e-10, huge = 1e300;
  const positive = [...get(XSB), i.eqz];
  return [
    ...highWord(X), ...set(HX),
    ...get(HX), ...k(0x80000000 | 0), i.and, ...set(XSB),
    ...get(HX), ...k(0x7fffffff), i.and, ...set(HX),
    // Huge and non-finite arguments.
    ...when([...get(HX), ...k(0x4043687a), i.geU], [
      ...when([...get(HX), ...k(0x40862e42), i.geU], [
        ...when([...get(HX), ...k(0x7ff00000), i.geU], [
          ...when([...get(HX), ...k(0xfffff), i.and, ...lowWord(X), i.or], r(bin(get(X), f.add, get(X)))),
          ...r(pick(positive, get(X), c(-1))),
        ]),
        ...when(bin(get(X), f.gt, c(7.09782712893383973096e2)), r(c(INF))),
      ]),
      // x < −56·ln2: −1 (tiny − one).
      ...when(get(XSB), when(bin(bin(get(X), f.add, c(1e-300)), f.lt, c(0)), r(c(-1)))),
    ]),
    ...when([...get(HX), ...k(0x3fd62e42), i.gtU], [
      ...when([...get(HX), ...k(0x3ff0a2b2), i.ltU], [
        ...when(positive, [
          ...bin(get(X), f.sub, c(ln2HI)), ...set(HI), ...c(ln2LO), ...set(LO), ...k(1), ...set(K),
        ], [
          ...bin(get(X), f.add, c(ln2HI)), ...set(HI), ...c(-ln2LO), ...set(LO), ...k(-1), ...set(K),
        ]),
      ], [
        ...bin(bin(c(1.44269504088896338700), f.mul, get(X)), f.add, pick(positive, c(0.5), c(-0.5))), ...truncate, ...set(K),
        ...get(K), f.fromI32, ...set(T),
        ...bin(get(X), f.sub, bin(get(T), f.mul, c(ln2HI))), ...set(HI),
        ...bin(get(T), f.mul, c(ln2LO)), ...set(LO),
      ]),
      ...bin(get(HI), f.sub, get(LO)), ...set(X),
      ...bin(bin(get(HI), f.sub, get(X)), f.sub, get(LO)), ...set(CC),
    ], [
      // |x| < 2⁻⁵⁴: x, as fdlibm writes it (x − (t − (huge + x)), t = huge + x).
      ...when([...get(HX), ...k(0x3c900000), i.ltU], [
        ...bin(c(huge), f.add, get(X)), ...set(T),
        ...r(bin(get(X), f.sub, bin(get(T), f.sub, bin(c(huge), f.add, get(X))))),
      ]),
      ...k(0), ...set(K),
    ]),
  ];
}

/** expm1 of the reduced x: the rational approximation, then the scaling by 2ᵏ. */
function expm1Scale(post: Post): number[] {
  const [X, , , K, , , CC, T, E, HXS, HFX, R1, Y, TWOPK] = EXPM1_LOCALS;
  const r = returning(post);
  return [
    ...bin(c(0.5), f.mul, get(X)), ...set(HFX),
    ...bin(get(X), f.mul, get(HFX)), ...set(HXS),
    ...bin(c(1), f.add, bin(get(HXS), f.mul, horner(get(HXS), [-3.33333333333331316428e-02, 1.58730158725481460165e-03, -7.93650757867487942473e-05, 4.00821782732936239552e-06, -2.01099218183624371326e-07]))), ...set(R1),
    ...bin(c(3), f.sub, bin(get(R1), f.mul, get(HFX))), ...set(T),
    ...bin(get(HXS), f.mul, bin(bin(get(R1), f.sub, get(T)), f.div, bin(c(6), f.sub, bin(get(X), f.mul, get(T))))), ...set(E),
    ...when([...get(K), i.eqz], r(bin(get(X), f.sub, bin(bin(get(X), f.mul, get(E)), f.sub, get(HXS))))),
    ...fromHighWord([...k(0x3ff00000), ...get(K), ...k(20), i.shl, i.add32]), ...set(TWOPK),
    ...bin(bin(get(X), f.mul, bin(get(E), f.sub, get(CC))), f.sub, get(CC)), ...set(E),
    ...bin(get(E), f.sub, get(HXS)), ...set(E),
    ...when([...get(K), ...k(-1), i.eq], r(bin(bin(c(0.5), f.mul, bin(get(X), f.sub, get(E))), f.sub, c(0.5)))),
    ...when([...get(K), ...k(1), i.eq], [
      ...when(bin(get(X), f.lt, c(-0.25)), r(bin(c(-2), f.mul, bin(get(E), f.sub, bin(get(X), f.add, c(0.5)))))),
      ...r(bin(c(1), f.add, bin(c(2), f.mul, bin(get(X), f.sub, get(E))))),
    ]),
    ...when([...get(K), ...k(-2), i.leS, ...get(K), ...k(56), i.gtS, i.or], [
      ...bin(c(1), f.sub, bin(get(E), f.sub, get(X))), ...set(Y),
      ...when([...get(K), ...k(1024), i.eq], [...bin(bin(get(Y), f.mul, c(2)), f.mul, c(2 ** 1023)), ...set(Y)], [...bin(get(Y), f.mul, get(TWOPK)), ...set(Y)]),
      ...r(bin(get(Y), f.sub, c(1))),
    ]),
    ...when([...get(K), ...k(20), i.ltS], [
      // t = 1 − 2⁻ᵏ
      ...bin(fromHighWord([...k(0x3ff00000), ...k(0x200000), ...get(K), i.shrS, i.sub32]), f.sub, bin(get(E), f.sub, get(X))), ...set(Y),
    ], [
      // t = 2⁻ᵏ
      ...bin(get(X), f.sub, bin(get(E), f.add, fromHighWord([...k(0x3ff), ...get(K), i.sub32, ...k(20), i.shl]))), ...set(Y),
      ...bin(get(Y), f.add, c(1)), ...set(Y),
    ]),
    ...post(bin(get(Y), f.mul, get(TWOPK))),
  ];
}

/** expm1's locals beyond its argument (more follow them in tanh). */
const EXPM1_DECLARED: [number, number][] = [[3, I32], [10, F64]];
const expm1Instructions = (post: Post): number[] => [...expm1Reduce(returning(post)), ...expm1Scale(post)];

/** fdlibm's expm1 (s_expm1.c as in ieee754.cc); its locals are EXPM1_LOCALS. */
function expm1Body(): number[] {
  return code(EXPM1_DECLARED, expm1Instructions(identity));
}

/**
 * fdlibm's tanh (s_tanh.c as in ieee754.cc) with expm1's body inline (its argument in local 0,
 * tanh's x first kept in local 17). Locals: 0 x, then expm1's (1–13); i32 14 jx, 15 ix,
 * 16 |x| ≥ 1; f64 17 tanh's x, 18 t.
 */
function tanhBody(): number[] {
  const [X, JX, IX, ONE_UP, XT, T] = [0, 14, 15, 16, 17, 18];
  const sign = (z: number[]): number[] => pick([...get(JX), ...k(0), i.geS], z, [...z, f.neg]);
  // expm1's result t: z = 1 − 2/(t + 2) for |x| ≥ 1, −t/(t + 2) below; tanh = ±z.
  const fromExpm1: Post = (t) => [
    ...t, ...set(T),
    ...sign(pick(get(ONE_UP), bin(c(1), f.sub, bin(c(2), f.div, bin(get(T), f.add, c(2)))), bin([...get(T), f.neg], f.div, bin(get(T), f.add, c(2))))),
  ];
  const body = [
    ...get(X), ...set(XT),
    ...highWord(X), ...set(JX),
    ...get(JX), ...k(0x7fffffff), i.and, ...set(IX),
    // tanh(±inf) = ±1, tanh(NaN) = NaN: 1/x ± 1.
    ...when([...get(IX), ...k(0x7ff00000), i.geS], [
      ...bin(c(1), f.div, get(XT)), ...set(T),
      ...ret(pick([...get(JX), ...k(0), i.geS], bin(get(T), f.add, c(1)), bin(get(T), f.sub, c(1)))),
    ]),
    ...when([...get(IX), ...k(0x40360000), i.geS], ret(sign(c(1)))), // |x| ≥ 22: one − tiny
    ...when([...get(IX), ...k(0x3e300000), i.ltS], ret(get(XT))), // |x| < 2⁻²⁸
    ...get(IX), ...k(0x3ff00000), i.geS, ...set(ONE_UP),
    ...pick(get(ONE_UP), bin(c(2), f.mul, [...get(XT), f.abs]), bin(c(-2), f.mul, [...get(XT), f.abs])), ...set(X),
    ...expm1Instructions(fromExpm1),
  ];
  return code([...EXPM1_DECLARED, [3, I32], [2, F64]], body);
}

/**
 * The tape's sigmoid (kernels.ts): x ≥ 0 ? 1 / (1 + exp(−x)) : e / (1 + e), e = exp(x), with
 * exp's body inline. Locals: 0 x (then exp's argument), exp's (1–9); i32 10 x < 0 or NaN; f64 11 e.
 */
function sigmoidBody(): number[] {
  const [X, BELOW, E] = [0, 10, 11];
  const fromExp: Post = (e) => [
    ...e, ...set(E),
    ...pick(get(BELOW), bin(get(E), f.div, bin(c(1), f.add, get(E))), bin(c(1), f.div, bin(c(1), f.add, get(E)))),
  ];
  const body = [
    ...bin(get(X), f.ge, c(0)), i.eqz, ...set(BELOW),
    ...pick(get(BELOW), get(X), [...get(X), f.neg]), ...set(X),
    ...expInstructions(fromExp),
  ];
  return code([...EXP_LOCALS, [1, I32], [1, F64]], body);
}

function code(locals: [number, number][], body: number[]): number[] {
  const bytes = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...body, op.end];
  return [...uleb(bytes.length), ...bytes];
}

/** The exact functions in the order they are placed in a module. */
export const EXACT_FUNCTIONS = ['exp', 'expm1', 'tanh', 'sigmoid'] as const;
export type ExactFunction = (typeof EXACT_FUNCTIONS)[number];

let bodies: number[][] | undefined;

/**
 * The code section entries of EXACT_FUNCTIONS, the same wherever a module places them (none
 * calls another: sigmoid and tanh hold exp's and expm1's bodies). Made once (every exact step
 * program asks; a startup snapshot keeps what its warm-up made): callers read them, never change them.
 */
export function exactFunctionBodies(): number[][] {
  return (bodies ??= [expBody(), expm1Body(), tanhBody(), sigmoidBody()]);
}
