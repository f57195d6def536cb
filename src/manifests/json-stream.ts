// A file that starts with `{` is a JSON stream to kubectl: successive JSON values, each one document
// (k8s.io/apimachinery pkg/util/yaml/decoder.go, YAMLOrJSONDecoder.Decode, v0.37.2:294-356). When a value
// fails after at most one good one, kubectl reads the rest as YAML; after two or more it is a JSON error.
// When both fail, the JSON error is the one reported ("When in doubt, it will return the error from the
// JSON decoder").
import { parseTree, printParseErrorCode, ParseErrorCode, type ParseError } from 'jsonc-parser';

const AFTER_VALUE: readonly ParseErrorCode[] = [ParseErrorCode.EndOfFileExpected, ParseErrorCode.InvalidSymbol];

export interface JsonValueSpan {
  start: number;
  end: number;
  value: unknown;
}

export interface JsonStream {
  values: JsonValueSpan[];
  /** Set when a value could not be read: where the rest starts, and the JSON error there. */
  failure?: { rest: number; message: string };
}

/** Whether kubectl takes the text for JSON (IsJSONBuffer: `{` after leading white space). */
export function looksLikeJson(text: string): boolean {
  return text.trimStart().startsWith('{');
}

function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

/** The values of the stream, up to the first that cannot be read. */
export function readJsonStream(text: string): JsonStream {
  const values: JsonValueSpan[] = [];
  let at = text.length - text.trimStart().length;
  while (at < text.length) {
    const rest = text.slice(at);
    const errors: ParseError[] = [];
    const tree = parseTree(rest, errors, { allowTrailingComma: false, disallowComments: true });
    const end = tree ? tree.offset + tree.length : 0;
    // Errors past the value's end belong to the next value (read on the next turn); any other is this value's.
    const error = errors.find((e) => !tree || e.offset < end || !AFTER_VALUE.includes(e.error));
    if (!tree || error) {
      const offset = at + (error?.offset ?? 0);
      return { values, failure: { rest: at, message: `not valid JSON at ${position(text, offset)}: ${error ? printParseErrorCode(error.error) : 'ValueExpected'} (JSON value ${values.length + 1})` } };
    }
    // Like Go's encoding/json, JSON.parse lets the last of a duplicated key win.
    values.push({ start: at + tree.offset, end: at + end, value: JSON.parse(rest.slice(tree.offset, end)) as unknown });
    const next = rest.slice(end);
    at += end + (next.length - next.trimStart().length);
  }
  return { values };
}
