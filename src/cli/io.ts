// The process's streams behind an interface, so commands run in tests without spawning a process.
import { readFileSync } from 'node:fs';

export interface CliIo {
  stdout(line: string): void;
  /** Writes text or bytes exactly as given (no newline added): fix's output, in the file's encoding. */
  stdoutRaw(data: string | Uint8Array): void;
  stderr(line: string): void;
  /** Bytes as they came (fix checks their encoding); tests may pass text. */
  readStdin(): string | Uint8Array;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stdoutRaw: (text) => process.stdout.write(text),
  stderr: (line) => process.stderr.write(`${line}\n`),
  readStdin: () => readFileSync(0),
  env: process.env,
};
