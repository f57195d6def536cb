// Operator-managed means what the operator writes on the object, not the namespace (issue 14, case 9).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { operatorEvidence } from '../../../src/calico/operator-managed.js';

describe('calico/operator-managed', () => {
  it('an owner reference to the Installation', () => {
    const object = { metadata: { namespace: 'calico-system', ownerReferences: [{ apiVersion: 'operator.tigera.io/v1', kind: 'Installation', name: 'default', controller: true }] } };
    assert.equal(operatorEvidence(object), 'owner reference Installation default (operator.tigera.io/v1)');
  });

  it('the managed-by label on the object or its pod template, or the operator\'s hash annotations', () => {
    assert.equal(operatorEvidence({ metadata: { labels: { 'app.kubernetes.io/managed-by': 'tigera-operator' } } }), 'label app.kubernetes.io/managed-by=tigera-operator');
    assert.equal(operatorEvidence({ spec: { template: { metadata: { labels: { 'app.kubernetes.io/managed-by': 'tigera-operator' } } } } }), 'pod template label app.kubernetes.io/managed-by=tigera-operator');
    assert.equal(operatorEvidence({ spec: { template: { metadata: { annotations: { 'hash.operator.tigera.io/cni-config': 'abc' } } } } }), 'pod template annotation hash.operator.tigera.io/cni-config');
  });

  it('the namespace calico-system alone, Helm\'s managed-by, or another owner are not evidence', () => {
    assert.equal(operatorEvidence({ metadata: { namespace: 'calico-system' } }), undefined);
    assert.equal(operatorEvidence({ metadata: { namespace: 'calico-system', labels: { 'app.kubernetes.io/managed-by': 'Helm' } } }), undefined);
    assert.equal(operatorEvidence({ metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }] } }), undefined);
    assert.equal(operatorEvidence({ metadata: { ownerReferences: 'nonsense' as unknown as [] } }), undefined);
  });
});
