// main() with the process's streams replaced: what a command prints and its exit code.
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/io.js';

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

export function capturingIo(stdin = ''): { io: CliIo; out: { stdout: string; stderr: string[] } } {
  const out = { stdout: '', stderr: [] as string[] };
  const io: CliIo = {
    stdout: (line) => (out.stdout += `${line}\n`),
    stdoutRaw: (data) => (out.stdout += typeof data === 'string' ? data : Buffer.from(data).toString('utf8')),
    stderr: (line) => out.stderr.push(line),
    readStdin: () => stdin,
    env: {},
  };
  return { io, out };
}

export async function cli(args: string[], stdin = '', wrap: (io: CliIo) => CliIo = (io) => io): Promise<Captured> {
  const { io, out } = capturingIo(stdin);
  const code = await main(args, wrap(io));
  return { code, stdout: out.stdout, stderr: out.stderr.join('\n') };
}
