#!/usr/bin/env node
// calico-ipv6-webhook: serve (default), fix, check, doctor, audit. The command line is a thin door to the engine.
// Installed also as kubectl-calico_ipv6, kubectl runs it as `kubectl calico-ipv6 ...` (its plugin form).
import { readFileSync, realpathSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/validate.js';
import { ManifestError } from '../manifests/errors.js';
import { ClusterAccessError } from '../cluster/errors.js';
import { processIo, type CliIo } from './io.js';
import { UsageError } from './options.js';
import { unsupportedNode } from './runtime.js';
import { ListenError, runServe, SERVE_HELP } from './serve.js';

const HELP = `Usage: calico-ipv6-webhook [serve|fix|check|doctor|audit|policy|help [COMMAND]] [options]
       calico-ipv6-webhook --version

  serve            run the admission webhook (default)
  fix FILE|-       print the manifest corrected to the IPv6 settings; problems on stderr
  check FILE|-     report what fix would change or reject; exit 1 if anything
  doctor           check a live cluster (or, with --host, this machine) against the IPv6 guide
  audit            list objects in the cluster the webhook would change or reject
  policy           print the rules as ValidatingAdmissionPolicies and MutatingAdmissionPolicies

Exit codes:
  0  success: serve stopped cleanly; fix rejected nothing; check, doctor and audit found nothing
  1  fix rejected something; check, audit found something to change or reject; doctor a failed check;
     serve's shutdown failed; an unexpected error
  2  usage, configuration, unusable input, cluster access, or serve's port or certificate error

Run 'calico-ipv6-webhook help COMMAND' or 'calico-ipv6-webhook COMMAND --help' for a command's options.`;

type Command = (args: string[], io: CliIo) => number | Promise<number>;

interface CommandEntry {
  run: Command;
  /** The command's own help, printed by `help COMMAND` and with its usage errors. */
  help: () => string | Promise<string>;
}

const COMMANDS: Record<string, CommandEntry> = {
  serve: { run: runServe, help: () => SERVE_HELP },
  // Every command but serve is loaded on use: serve's start-up and idle memory pay only for what it needs
  // (fix brings the YAML editor and the manifest readers; doctor and audit @kubernetes/client-node).
  fix: { run: async (args, io) => (await import('./fix.js')).runFix('fix', args, io), help: async () => (await import('./fix.js')).FIX_HELP },
  check: { run: async (args, io) => (await import('./fix.js')).runFix('check', args, io), help: async () => (await import('./fix.js')).FIX_HELP },
  doctor: { run: async (args, io) => (await import('./doctor.js')).runDoctor(args, io), help: async () => (await import('./doctor.js')).DOCTOR_HELP },
  audit: { run: async (args, io) => (await import('./audit.js')).runAuditCommand(args, io), help: async () => (await import('./audit.js')).AUDIT_HELP },
  policy: { run: async (args, io) => (await import('./policy.js')).runPolicy(args, io), help: async () => (await import('./policy.js')).POLICY_HELP },
};

/** The package's version, read from the package.json beside src/ and dist/ (both are one level below it). */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof manifest.version === 'string' ? manifest.version : 'unknown';
}

/** What kubectl calls a plugin binary named kubectl-calico_ipv6: `kubectl calico-ipv6`. */
const PLUGIN_NAME = 'kubectl calico-ipv6';

/** Whether the program was started through its kubectl plugin name. */
export function isPluginInvocation(programPath: string | undefined): boolean {
  return basename(programPath ?? '').startsWith('kubectl-');
}

/** Output whose usage lines name the plugin form, for a user who typed `kubectl calico-ipv6 ...`. */
export function pluginIo(io: CliIo): CliIo {
  const rename = (text: string) => text.replace(/(^Usage: |^ {7}|')calico-ipv6-webhook(?= )/gm, `$1${PLUGIN_NAME}`);
  return { ...io, stdout: (line) => io.stdout(rename(line)), stderr: (line) => io.stderr(rename(line)) };
}

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    io.stdout(`calico-ipv6-webhook ${packageVersion()}`);
    return 0;
  }
  if (first === 'help' || first === '--help' || first === '-h') return help(first === 'help' ? rest : [], io);
  const explicit = first !== undefined && !first.startsWith('-');
  const name = explicit ? first : 'serve';
  const command = COMMANDS[name];
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}`);
    return await command.run(explicit ? rest : argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`calico-ipv6-webhook: ${error.message}\n\n${command ? await command.help() : HELP}`);
      return 2;
    }
    const line = oneLineError(error);
    if (line !== undefined) {
      io.stderr(`calico-ipv6-webhook: ${line}`);
      return 2;
    }
    throw error;
  }
}

/** `help` and `help COMMAND`. */
async function help(args: string[], io: CliIo): Promise<number> {
  const [name, ...extra] = args;
  if (name === undefined) {
    io.stdout(HELP);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command || extra.length > 0) {
    io.stderr(`calico-ipv6-webhook: ${command ? 'help takes one COMMAND' : `unknown command ${JSON.stringify(name)}`}\n\n${HELP}`);
    return 2;
  }
  io.stdout(await command.help());
  return 0;
}

/** Errors the user can act on, said in one line (exit 2); undefined for a bug, which keeps its stack. */
function oneLineError(error: unknown): string | undefined {
  if (error instanceof ConfigError || error instanceof ManifestError || error instanceof ClusterAccessError || error instanceof ListenError) return error.message;
  return undefined;
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
