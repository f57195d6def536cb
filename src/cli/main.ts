#!/usr/bin/env node
// calico-ipv6-webhook: serve (default), fix, check. The command line is a thin door to the engine.
// Installed also as kubectl-calico_ipv6, kubectl runs it as `kubectl calico-ipv6 ...` (its plugin form).
import { realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/validate.js';
import { ManifestError } from '../manifests/manifest-file.js';
import { runFix } from './fix.js';
import { ClusterAccessError } from '../cluster/errors.js';
import { processIo, type CliIo } from './io.js';
import { UsageError } from './options.js';
import { unsupportedNode } from './runtime.js';
import { runServe } from './serve.js';

const HELP = `Usage: calico-ipv6-webhook [serve|fix|check|doctor|audit|policy|help] [options]

  serve            run the admission webhook (default)
  fix FILE|-       print the manifest corrected to the IPv6 settings; problems on stderr
  check FILE|-     report what fix would change or reject; exit 1 if anything
  doctor           check a live cluster (or, with --host, this machine) against the IPv6 guide
  audit            list objects in the cluster the webhook would change or reject
  policy           print the rules as ValidatingAdmissionPolicies and MutatingAdmissionPolicies

Run 'calico-ipv6-webhook COMMAND --help' for a command's options.`;

type Command = (args: string[], io: CliIo) => number | Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve: runServe,
  fix: (args, io) => runFix('fix', args, io),
  check: (args, io) => runFix('check', args, io),
  // Loaded on use: they bring @kubernetes/client-node, which serve, fix and check do not need.
  doctor: async (args, io) => (await import('./doctor.js')).runDoctor(args, io),
  audit: async (args, io) => (await import('./audit.js')).runAuditCommand(args, io),
  policy: async (args, io) => (await import('./policy.js')).runPolicy(args, io),
};

/** What kubectl calls a plugin binary named kubectl-calico_ipv6: `kubectl calico-ipv6`. */
export const PLUGIN_NAME = 'kubectl calico-ipv6';

/** Whether the program was started through its kubectl plugin name. */
export function isPluginInvocation(programPath: string | undefined): boolean {
  return basename(programPath ?? '').startsWith('kubectl-');
}

/** Output whose usage lines name the plugin form, for a user who typed `kubectl calico-ipv6 ...`. */
export function pluginIo(io: CliIo): CliIo {
  const rename = (text: string) => text.replace(/(^Usage: |^ {7}|Run ')calico-ipv6-webhook(?= )/gm, `$1${PLUGIN_NAME}`);
  return { ...io, stdout: (line) => io.stdout(rename(line)), stderr: (line) => io.stderr(rename(line)) };
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === 'help' || first === '--help' || first === '-h') {
    io.stdout(HELP);
    return 0;
  }
  const explicit = first !== undefined && !first.startsWith('-');
  const name = explicit ? first : 'serve';
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    return await command(explicit ? rest : argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`calico-ipv6-webhook: ${error.message}\n\n${HELP}`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof ManifestError || error instanceof ClusterAccessError) {
      io.stderr(`calico-ipv6-webhook: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

function startedAsProgram(): boolean {
  const started = process.argv[1];
  if (!started) return false;
  try {
    // Through a bin link (node_modules/.bin, npm's global bin, a kubectl plugin on PATH) or directly.
    return realpathSync(started) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

const unsupported = unsupportedNode(process.versions.node, process.execPath);
// Run only as the program, not when imported by tests.
if (startedAsProgram() && unsupported) {
  process.stderr.write(`calico-ipv6-webhook: ${unsupported}\n`);
  process.exitCode = 2;
} else if (startedAsProgram()) {
  main(process.argv.slice(2), isPluginInvocation(process.argv[1]) ? pluginIo(processIo) : processIo).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`calico-ipv6-webhook: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
