// Writes every file listed in src/generate/outputs.ts; `npm run generate`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_FILES } from '../src/generate/outputs.js';

const root = join(import.meta.dirname, '..');
for (const file of GENERATED_FILES) {
  writeFileSync(join(root, file.path), file.render());
  console.log(`wrote ${file.path}`);
}
