// calico/operator-managed.ts in CEL: what the Tigera operator writes on the objects it renders.

/** CEL on an object expression: true when the operator renders it (the webhook then only warns). */
export function operatorManagedCel(object: string): string {
  const managedBy = (labels: string) => `${labels}.orValue({}).exists(k, k == 'app.kubernetes.io/managed-by' && ${labels}.orValue({})[k] == 'tigera-operator')`;
  return [
    `${object}.metadata.?ownerReferences.orValue([]).exists(o, o.apiVersion.startsWith('operator.tigera.io/'))`,
    managedBy(`${object}.metadata.?labels`),
    managedBy(`${object}.?spec.?template.?metadata.?labels`),
    `${object}.?spec.?template.?metadata.?annotations.orValue({}).exists(k, k.startsWith('hash.operator.tigera.io/'))`,
  ].join(' || ');
}
