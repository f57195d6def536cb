// What the generator knows about one target's policy, before it is written as Kubernetes objects.
import type { Target } from '../targets/target.js';

export interface Variable {
  name: string;
  expression: string;
}

export interface Validation {
  /** The webhook's rule id (Finding.rule). */
  rule: string;
  /** CEL that is true when the object breaks the rule (the policy's expression is its negation). */
  violation: string;
  /** CEL for the message, formatted as the webhook formats the finding. */
  message: string;
}

export interface TargetPolicy {
  target: Target;
  /** CEL on `object`: which objects of the target's resources are judged (names, and what the target skips). */
  match: string;
  variables: Variable[];
  validations: Validation[];
  /** CEL yielding the JSONPatch list the MutatingAdmissionPolicy applies; absent for a validate-only target. */
  mutation?: string;
  /** The rules the mutation makes the webhook's change for; absent: every rule whose message says it is mutable. */
  mutatedRules?: readonly string[];
  /**
   * CEL on `object`: objects the policy cannot judge as the webhook does. The hybrid engine leaves them to
   * the webhook, so nothing the webhook would refuse is admitted by a policy.
   */
  webhookOnly?: string;
}
