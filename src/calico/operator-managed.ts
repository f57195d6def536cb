// Whether the Tigera operator renders this object, from what the operator itself writes on it, never from
// the namespace alone (a plain manifest can be applied to calico-system too).
import { isRecord } from '../k8s/object.js';

interface Meta {
  namespace?: unknown;
  labels?: unknown;
  annotations?: unknown;
  ownerReferences?: unknown;
}

interface ObjectLike {
  metadata?: Meta | undefined;
  spec?: unknown;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return isRecord(value) ? value : undefined;
}

function managedByLabel(meta: Meta | undefined): string | undefined {
  const value = record(meta?.labels)?.['app.kubernetes.io/managed-by'];
  // component.go:1215-1220 writes OperatorName(), "tigera-operator" unless OPERATOR_NAME renames it.
  return value === 'tigera-operator' ? `label app.kubernetes.io/managed-by=${value}` : undefined;
}

/** The evidence that the operator owns the object (for the message), or undefined when there is none. */
export function operatorEvidence(object: ObjectLike): string | undefined {
  const meta = object.metadata;
  const owners = Array.isArray(meta?.ownerReferences) ? meta.ownerReferences : [];
  for (const owner of owners) {
    const o = record(owner);
    // Every rendered object gets the Installation as its controller (pkg/controller/utils/component.go:240-252).
    if (typeof o?.apiVersion === 'string' && o.apiVersion.startsWith('operator.tigera.io/')) {
      return `owner reference ${typeof o.kind === 'string' ? o.kind : 'object'} ${typeof o.name === 'string' ? o.name : ''} (${o.apiVersion})`.replace('  ', ' ');
    }
  }
  const label = managedByLabel(meta);
  if (label) return label;
  const template = record(record(record(object.spec)?.template)?.metadata) as Meta | undefined;
  const templateLabel = managedByLabel(template);
  if (templateLabel) return `pod template ${templateLabel}`;
  // calico-node's pod template carries hash.operator.tigera.io/* annotations (pkg/render/node.go:49-56).
  const hashed = Object.keys(record(template?.annotations) ?? {}).find((key) => key.startsWith('hash.operator.tigera.io/'));
  return hashed ? `pod template annotation ${hashed}` : undefined;
}
