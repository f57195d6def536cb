// Where ConfigMap contents come from, for the rules' env resolution: the same file in `fix`, the watch cache
// in `serve`, the objects doctor and audit read. One shape for all of them.
import { nameOf, namespaceOf, stringData, type KubeObject } from './object.js';

export interface ConfigMapSource {
  /** The data when known, null when the ConfigMap is known not to exist, undefined when it cannot be known here. */
  lookupConfigMap?(namespace: string, name: string): Readonly<Record<string, string>> | null | undefined;
  /** One key, for sources that can answer single keys only (a valueFrom); asked when the whole ConfigMap cannot be known. */
  lookupConfigMapKey?(namespace: string, name: string, key: string): string | undefined;
}

export interface ConfigMapRef {
  namespace: string;
  name: string;
}

/**
 * ConfigMaps among objects already read (a file's documents, a cluster read); null for those asked for and
 * known missing, undefined for the rest. A ConfigMap without a namespace (a manifest's) is taken for the
 * namespace asked: `kubectl apply` puts it in the same one.
 */
export function configMapsAmong(objects: readonly KubeObject[], missing: readonly ConfigMapRef[] = []): ConfigMapSource {
  return {
    lookupConfigMap: (namespace, name) => {
      const found = objects.find((o) => o.kind === 'ConfigMap' && nameOf(o) === name && (namespaceOf(o) === undefined || namespaceOf(o) === namespace));
      if (found) return stringData(found);
      return missing.some((m) => m.namespace === namespace && m.name === name) ? null : undefined;
    },
  };
}
