// YAML parsing, with the yaml package loaded on the first parse. A webhook serving the embedded default
// reads no YAML until a kube-proxy ConfigMap or a configuration file comes, so its start-up and idle
// memory do not pay for the parser (72 modules, ~15 ms, several MB in Node 26). The package's CommonJS
// build is required synchronously: the callers (configuration load, a rule reading config.conf) are sync.
import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');

let yaml: YamlModule | undefined;

/** yaml's `parse` (YAML 1.2 core schema, its defaults), loaded on first use. */
export function parseYaml(text: string): unknown {
  yaml ??= createRequire(import.meta.url)('yaml') as YamlModule;
  return yaml.parse(text);
}
