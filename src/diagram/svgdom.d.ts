// svgdom ships no type declarations; gateflow uses only its window factory.
declare module 'svgdom' {
  export function createSVGWindow(): Window & typeof globalThis;
}
