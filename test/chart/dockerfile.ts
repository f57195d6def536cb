// The Dockerfile and .dockerignore as Docker reads them: dockerfile-ast parses the instructions (line
// continuations, flags, exec form, ARG expansion), @balena/dockerignore is a port of Docker's own
// .dockerignore matcher. This file only reshapes their answers for the structural tests.
import dockerignore from '@balena/dockerignore';
import { Copy, DockerfileParser, From, JSONInstruction, type Instruction as AstInstruction } from 'dockerfile-ast';

export interface Instruction {
  keyword: string;
  /** The arguments as one line (continuations joined). */
  args: string;
  /** 1-based line of the keyword. */
  line: number;
  node: AstInstruction;
}

export interface Stage {
  /** The base image with the global ARG defaults substituted. */
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
  const parsed = DockerfileParser.parse(text);
  const all = parsed.getInstructions().map((node) => ({
    keyword: node.getKeyword(),
    args: node.getArgumentsContent() ?? '',
    line: node.getRange().start.line + 1,
    node,
  }));
  const globalArgs = new Map<string, string>();
  for (const arg of parsed.getInitialARGs()) {
    const property = arg.getProperty();
    if (property) globalArgs.set(property.getName(), property.getValue() ?? '');
  }
  const stages: Stage[] = [];
  for (const instruction of all) {
    const { node } = instruction;
    if (node instanceof From) {
      const image = node.getExpandedArguments()[0]?.getValue();
      if (!image) throw new Error(`FROM without an image at line ${instruction.line}`);
      stages.push({ image, name: node.getBuildStage() ?? undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages, all };
}

/** The JSON array of an exec-form instruction (ENTRYPOINT, CMD), or undefined for the shell form. */
export function execForm(instruction: Instruction | undefined): string[] | undefined {
  const node = instruction?.node;
  if (!(node instanceof JSONInstruction) || node.getOpeningBracket() === null) return undefined;
  return node.getJSONStrings().map((s) => s.getJSONValue());
}

/** Sources and destination of a COPY, with its --from stage when given. */
export function copyParts(instruction: Instruction): { from: string | undefined; sources: string[]; dest: string } {
  const { node } = instruction;
  if (!(node instanceof Copy)) throw new Error(`line ${instruction.line} is ${instruction.keyword}, not COPY`);
  const words = node.getArguments().map((a) => a.getValue());
  const dest = words.pop();
  if (dest === undefined || words.length === 0) throw new Error(`COPY needs sources and a destination (line ${instruction.line})`);
  return { from: node.getFromFlag()?.getValue() ?? undefined, sources: words, dest };
}

/** Whether .dockerignore keeps a path (relative to the context) out of the build context. */
export function dockerignoreExcludes(ignoreText: string, path: string): boolean {
  return ignore().add(ignoreText).ignores(path);
}

// The package's typings declare an ES default export; its CommonJS code sets module.exports to the factory,
// which is what Node hands an ES import as the default.
function ignore(): ReturnType<typeof dockerignore.default> {
  return (dockerignore as unknown as typeof dockerignore.default)();
}
