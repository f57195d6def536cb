import { DockerfileParser, Copy, JSONInstruction, From } from 'dockerfile-ast';
import ignore from '@balena/dockerignore';
import { readFileSync } from 'node:fs';
const df = DockerfileParser.parse(readFileSync('Dockerfile','utf8'));
for (const i of df.getInstructions()) {
  console.log(i.getKeyword(), i.getRange().start.line, JSON.stringify(i.getArgumentsContent()), i.getArguments().map(a=>a.getValue()), i.getExpandedArguments().map(a=>a.getValue()));
  if (i instanceof From) console.log(' from', i.getImage(), i.getBuildStage());
  if (i instanceof Copy) console.log(' copy', i.getFromFlag()?.getValue());
  if (i instanceof JSONInstruction) console.log(' json', i.getJSONStrings().map(s=>s.getJSONValue()));
}
console.log(df.getInitialARGs().map(a=>[a.getProperty()?.getName(), a.getProperty()?.getValue()]));
const ig = ignore().add(readFileSync('.dockerignore','utf8'));
for (const p of ['src','src/cli/main.ts','node_modules','test','.env','package.json','.npmrc','tls.key','charts/x']) console.log(p, ig.ignores(p));
