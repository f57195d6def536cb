// The process's streams behind an interface, so commands run in tests without spawning a process.
import { readFileSync } from 'node:fs';

export interface CliIo {
  stdout(line: string): void;
  /** Writes text exactly as given (no newline added): fix's YAML output. */
  stdoutRaw(text: string): void;
  stderr(line: string): void;
  readStdin(): string;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stdoutRaw: (text) => process.stdout.write(text),
  stderr: (line) => process.stderr.write(`${line}\n`),
  readStdin: () => readFileSync(0, 'utf8'),
  env: process.env,
};
