// A manifest file's bytes as text and back, in the encoding it came in. kubectl reads files through a
// BOM override (UTF-16 with a BOM is decoded, a UTF-8 BOM dropped), so fix does the same and writes the
// result back in that encoding, BOM included. Invalid UTF-8 is refused: decoding it would replace bytes.

import { ManifestError } from './errors.js';

class EncodingError extends ManifestError {}

export type Encoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

export interface DecodedText {
  text: string;
  encoding: Encoding;
}

/** The offset where the first ill-formed UTF-8 sequence starts, or -1. */
export function invalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    // Lead byte: sequence length and the allowed range of the second byte (no overlongs, no surrogates).
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      const [lo, hi] = k === 1 ? [low, high] : [0x80, 0xbf];
      if (c < lo || c > hi) return i;
    }
    i += length;
  }
  return -1;
}

function swapBytes(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length - (bytes.length % 2));
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1] as number;
    out[i + 1] = bytes[i] as number;
  }
  return out;
}

export function decodeManifest(bytes: Uint8Array): DecodedText {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf[0] === 0xff && buf[1] === 0xfe) return { text: utf16(buf.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (buf[0] === 0xfe && buf[1] === 0xff) return { text: utf16(swapBytes(buf.subarray(2)), 'utf-16be'), encoding: 'utf-16be' };
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  const body = bom ? buf.subarray(3) : buf;
  const bad = invalidUtf8Offset(body);
  if (bad >= 0) throw new EncodingError(`not a text manifest (a binary file?): not valid UTF-8: byte 0x${(body[bad] ?? 0).toString(16).padStart(2, '0')} at offset ${bad + (bom ? 3 : 0)}`);
  // A NUL is valid UTF-8 but never part of a manifest: YAML and JSON both refuse it.
  const nul = body.indexOf(0);
  if (nul >= 0) throw new EncodingError(`not a text manifest (a binary file?): a NUL byte at offset ${nul + (bom ? 3 : 0)}`);
  return { text: body.toString('utf8'), encoding: bom ? 'utf-8-bom' : 'utf-8' };
}

function utf16(littleEndian: Buffer, encoding: Encoding): string {
  if (littleEndian.length % 2 !== 0) throw new EncodingError(`not valid ${encoding.toUpperCase()}: an odd number of bytes`);
  return littleEndian.toString('utf16le');
}

export function encodeManifest(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf-16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf-16be':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), swapBytes(Buffer.from(text, 'utf16le'))]);
  }
}
