// The layering of src/, checked on the import graph: every import goes to the same floor or a lower
// one, and no file reaches itself through its imports (no circle).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../support/repo-root.js';

/** The floors, lowest first: a folder may import its own floor and those below. */
const FLOORS: readonly (readonly string[])[] = [
  ['k8s', 'text'],
  ['net', 'files', 'patch', 'observability'],
  // How Calico and flannel themselves read their settings (issue 14): below the rules that apply them.
  ['calico', 'flannel'],
  ['config'],
  ['targets'],
  ['engine'],
  // The rules as admission policies (issue 20): read the engine's findings for their texts.
  ['admission', 'manifests', 'policy'],
  ['cluster'],
  ['doctor'],
  ['host'],
  ['server'],
  ['cli'],
  // The committed files rendered from the source (chart templates): may read any floor.
  ['generate'],
];

const SRC = join(REPO_ROOT, 'src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** file (relative to src) -> the src files it imports (type-only imports included: they are dependencies too). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/g), ...text.matchAll(/import\('(\.[^']+)'\)/g)]
      .map((m) => relative(SRC, resolve(dirname(file), (m[1] ?? '').replace(/\.js$/, '.ts'))));
    graph.set(relative(SRC, file), targets);
  }
  return graph;
}

const floorOf = (file: string) => FLOORS.findIndex((folders) => folders.includes(file.split('/')[0] ?? ''));

describe('architecture', () => {
  const graph = importGraph();

  it('every src folder has a floor', () => {
    assert.deepEqual([...graph.keys()].filter((f) => floorOf(f) < 0), []);
  });

  it('no import runs up a floor', () => {
    const upward = [...graph].flatMap(([file, imports]) => imports.filter((i) => floorOf(i) > floorOf(file)).map((i) => `${file} -> ${i}`));
    assert.deepEqual(upward, []);
  });

  it('no circle of imports', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    assert.deepEqual(circles, []);
  });

  it('the check sees real imports (a guard against a regex that matches nothing)', () => {
    assert.ok(graph.get('engine/analyze.ts')?.includes('targets/registry.ts'));
    assert.ok(graph.get('cli/audit.ts')?.includes('text/table.ts'));
  });
});
