// `fix FILE|-` and `check FILE|-`: the webhook's analysis on files, for pipelines before anything
// reaches a cluster. fix prints the corrected YAML; both list every change and problem on stderr.
import { readFileSync } from 'node:fs';
import { loadConfig } from '../config/load.js';
import { analyzeManifestBytes, ManifestError, type FileResult } from '../manifests/manifest-file.js';
import { summarize } from '../engine/summary.js';
import { formatFinding } from '../engine/verdict.js';
import { CONFIG_FLAGS, CONFIG_HELP, configSource, parse, stringFlag, UsageError } from './options.js';
import type { CliIo } from './io.js';

export const FIX_HELP = `Usage: calico-ipv6-webhook fix FILE|- [options]
       calico-ipv6-webhook check FILE|- [options]

fix prints every document of the multi-document YAML FILE (- for stdin; or -f FILE, as kubectl takes it) on stdout, the targets
corrected and everything else unchanged, and lists each change and problem on stderr.
check does the same analysis and prints only the list.
Exit codes: fix 0 nothing rejected, 1 something rejected; check 0 every document already right,
1 anything to change or rejected; 2 unusable input or usage.

${CONFIG_HELP}`;

const READ_FAILURES: Readonly<Record<string, string>> = {
  EISDIR: 'it is a directory; give one manifest file (or - for stdin)',
  ENOENT: 'no such file',
  EACCES: 'permission denied',
};

function readInput(path: string, io: CliIo): Uint8Array {
  try {
    if (path !== '-') return readFileSync(path);
    const stdin = io.readStdin();
    return typeof stdin === 'string' ? Buffer.from(stdin, 'utf8') : stdin;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ManifestError(`cannot read ${path === '-' ? 'standard input' : path}: ${(code && READ_FAILURES[code]) ?? (error as Error).message}`);
  }
}

/** Reading and analysing the file; what makes it unusable is said in one line that names it. */
function analyzeInput(bytes: Uint8Array, config: Parameters<typeof analyzeManifestBytes>[1], name: string): ReturnType<typeof analyzeManifestBytes> {
  try {
    return analyzeManifestBytes(bytes, config);
  } catch (error) {
    if (error instanceof ManifestError) throw new ManifestError(`${name}: ${error.message}`);
    throw error;
  }
}

export interface Tally {
  changes: number;
  problems: number;
}

/** One line per finding, prefixed with what happened to it: the list fix and check print. */
export function report(result: FileResult, mode: 'fix' | 'check', source: string, io: CliIo): Tally {
  const tally: Tally = { changes: 0, problems: 0 };
  for (const note of result.notes) io.stderr(`${source}: warning: ${note}`);
  for (const doc of result.documents) {
    if (!doc.analysis) continue;
    const s = summarize(doc.analysis);
    const where = `${source}: ${doc.label}`;
    const rejected = [...s.malformed, ...s.problems];
    for (const f of s.changes) io.stderr(`${where}: ${mode === 'fix' ? 'fixed' : 'needs change'}: ${formatFinding(f)}`);
    for (const f of rejected) io.stderr(`${where}: rejected: ${formatFinding(f)}`);
    for (const w of s.warnings) io.stderr(`${where}: warning: ${w}`);
    if (doc.refused) io.stderr(`${where}: not fixed: ${doc.refused}`);
    tally.changes += s.changes.length;
    tally.problems += rejected.length + (doc.refused ? 1 : 0);
  }
  return tally;
}

export function runFix(command: 'fix' | 'check', args: string[], io: CliIo): number {
  const { values, positionals } = parse(args, { ...CONFIG_FLAGS, filename: { type: 'string', short: 'f' } });
  if (values.help) {
    io.stdout(FIX_HELP);
    return 0;
  }
  const filename = stringFlag(values, 'filename');
  const sources = filename === undefined ? positionals : [filename, ...positionals];
  if (sources.length !== 1) throw new UsageError(`${command} takes exactly one FILE (or - for stdin, or -f FILE), got ${sources.length}`);
  const source = sources[0] as string;
  const config = loadConfig(configSource(values, io.env));
  const name = source === '-' ? '<stdin>' : source;
  const result = analyzeInput(readInput(source, io), config, name);
  const tally = report(result, command, name, io);
  if (command === 'fix') io.stdoutRaw(result.fixedBytes);
  const targets = result.documents.filter((d) => d.analysis).length;
  io.stderr(`${source === '-' ? '<stdin>' : source}: ${targets} target object${targets === 1 ? '' : 's'}, ${tally.changes} change${tally.changes === 1 ? '' : 's'} ${command === 'fix' ? 'made' : 'needed'}, ${tally.problems} problem${tally.problems === 1 ? '' : 's'}`);
  if (command === 'fix') return tally.problems > 0 ? 1 : 0;
  return tally.problems > 0 || tally.changes > 0 ? 1 : 0;
}
