// Typings for the two pure-JS codec packages that ship none (what compression.ts and the tests' SST writer use).
declare module 'snappyjs' {
  export function uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
  export function compress(data: Uint8Array): Uint8Array;
}
declare module 'lz4js' {
  /** Decodes a raw LZ4 block src[sIndex, sIndex+sLength) into dst from dIndex; returns the end index in dst. */
  export function decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
}
