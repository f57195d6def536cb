// The Node.js the program needs. The bin's `#!/usr/bin/env node` runs whatever node is first on the
// PATH (a kubectl plugin, `node dist/cli/main.js` by hand), which can be older than the Node 26 that
// `npm ci` brings: @kubernetes/client-node's undici needs Node >= 22.19, serve reads X509Certificate's
// validToDate. Refusing at start says so, instead of a TypeError from deep inside a dependency.

/** package.json `engines` (^26.10.0); test/unit/cli/runtime.test.ts holds the two together. */
export const MIN_NODE: readonly [number, number] = [26, 10];

/** Why this Node version cannot run the program, or undefined when it can. */
export function unsupportedNode(version: string, execPath: string): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  if (major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1])) return undefined;
  return `needs Node.js >= ${MIN_NODE.join('.')}, but ${execPath} is v${version.replace(/^v/, '')}. `
    + '`npm ci` installs it as node_modules/.bin/node: put that folder first on the PATH (export PATH="$PWD/node_modules/.bin:$PATH"), '
    + 'or run the program from an npm script or `npm exec`';
}
