// One verdict of `doctor`: what was checked, pass / fail / unknown, what was read, and how to fix it.

export type CheckStatus = 'pass' | 'fail' | 'unknown';

export interface Check {
  /**
   * Stable id `<component>.<item>`, with `/<subject>` when the item is checked per object
   * (`kube-apiserver.bind-address/kube-apiserver-node1`, `node.internal-ip/node1`).
   */
  id: string;
  /** The guide's requirement, in one line. */
  title: string;
  status: CheckStatus;
  /** What was read, and from where: enough to see why the status is what it is. */
  evidence: string;
  /** What to change; empty when the check passes. */
  fix: string;
}

export const pass = (id: string, title: string, evidence: string): Check => ({ id, title, status: 'pass', evidence, fix: '' });
export const fail = (id: string, title: string, evidence: string, fix: string): Check => ({ id, title, status: 'fail', evidence, fix });
export const unknown = (id: string, title: string, evidence: string, fix: string): Check => ({ id, title, status: 'unknown', evidence, fix });

/** The id without its subject: what tests and the guide's item list key on. */
export function itemOf(check: Check): string {
  const slash = check.id.indexOf('/');
  return slash < 0 ? check.id : check.id.slice(0, slash);
}

export function anyFailed(checks: readonly Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}
