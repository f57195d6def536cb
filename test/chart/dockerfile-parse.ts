// Reads a Dockerfile into stages of instructions, and answers whether a .dockerignore keeps a top-level
// path out of the build context. Enough for structural checks; not a full BuildKit frontend.

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

export interface Dockerfile {
  globalArgs: Map<string, string>;
  stages: Stage[];
  all: Instruction[];
}

export function parseDockerfile(text: string): Dockerfile {
  const all: Instruction[] = [];
  const lines = text.split('\n');
  let pending = '';
  let start = 0;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (pending === '' && (trimmed === '' || trimmed.startsWith('#'))) return;
    if (pending !== '' && trimmed.startsWith('#')) return; // comments inside a continued instruction
    if (pending === '') start = index + 1;
    if (trimmed.endsWith('\\')) {
      pending += `${trimmed.slice(0, -1)} `;
      return;
    }
    const full = (pending + trimmed).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/s.exec(full);
    if (match) all.push({ keyword: (match[1] as string).toUpperCase(), args: (match[2] as string).trim(), line: start });
  });
  if (pending !== '') throw new Error('Dockerfile ends inside a continued line');

  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const instruction of all) {
    if (instruction.keyword === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!m) throw new Error(`cannot read FROM at line ${instruction.line}: ${instruction.args}`);
      stages.push({ image: m[1] as string, name: m[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage) stage.instructions.push(instruction);
    else if (instruction.keyword === 'ARG') {
      const [name, value = ''] = instruction.args.split('=', 2) as [string, string?];
      globalArgs.set(name.trim(), value.trim());
    } else throw new Error(`${instruction.keyword} before the first FROM (line ${instruction.line})`);
  }
  return { globalArgs, stages, all };
}

/** ${NAME} and $NAME replaced by the global ARG defaults. */
export function expandArgs(text: string, args: Map<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => args.get(braced ?? bare ?? '') ?? whole);
}

/** The JSON array of an exec-form instruction (ENTRYPOINT, CMD), or undefined for the shell form. */
export function execForm(instruction: Instruction | undefined): string[] | undefined {
  if (!instruction?.args.startsWith('[')) return undefined;
  const value = JSON.parse(instruction.args) as unknown;
  return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : undefined;
}

/** Sources and destination of a COPY, with its --from stage when given. */
export function copyParts(instruction: Instruction): { from: string | undefined; sources: string[]; dest: string } {
  const words = instruction.args.split(/\s+/);
  let from: string | undefined;
  const rest: string[] = [];
  for (const word of words) {
    if (word.startsWith('--from=')) from = word.slice('--from='.length);
    else if (!word.startsWith('--')) rest.push(word);
  }
  const dest = rest.pop();
  if (dest === undefined || rest.length === 0) throw new Error(`COPY needs sources and a destination (line ${instruction.line})`);
  return { from, sources: rest, dest };
}

/**
 * Whether .dockerignore keeps a top-level path (or everything under it) out of the context: the last
 * matching pattern wins, `!` lets a path back in. Patterns are matched against the first path segment,
 * with `*` and `?` as in Go's filepath.Match; deeper patterns (with a `/` inside) are not supported here.
 */
export function dockerignoreExcludes(ignoreText: string, topLevel: string): boolean {
  let excluded = false;
  for (const raw of ignoreText.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negated = line.startsWith('!');
    const pattern = (negated ? line.slice(1) : line).replace(/^\/+/, '').replace(/\/+$/, '');
    if (pattern.includes('/')) throw new Error(`dockerignore pattern with a path inside is not supported by this check: ${line}`);
    const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    if (regex.test(topLevel)) excluded = !negated;
  }
  return excluded;
}
