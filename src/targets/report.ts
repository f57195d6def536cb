// What a target reports about one object: findings (changes, problems, malformed fields) and warnings.

/** One thing about one field: what was there, what the guide wants, and how to get there. */
export interface Finding {
  /** Stable id, `<target>/<check>`: metrics labels and tests key on it. */
  rule: string;
  /** Field path inside the object, with list items named: `spec.template.spec.containers[name=calico-node].env[name=IP]`. */
  path: string;
  found: string;
  expected: string;
  fix: string;
}

/** The same finding reported twice (mutation and validation both read the object) is listed once. */
export function dedupeFindings(findings: readonly Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}\u0000${f.path}\u0000${f.found}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What one rule learned about one object. Mutation and validation write to separate reports. */
export class Report {
  readonly changes: Finding[] = [];
  readonly problems: Finding[] = [];
  readonly malformed: Finding[] = [];
  readonly warnings: string[] = [];

  /** A field the mutation rewrote (or, in validation, would have rewritten). */
  change(finding: Finding): void {
    this.changes.push(finding);
  }

  /**
   * Something that cannot be fixed without guessing: rejected (403). Recorded during mutation only when
   * the API server's own validation, which runs between the mutating and validating webhooks, would
   * otherwise answer first with a less helpful message (an immutable field, say).
   */
  problem(finding: Finding): void {
    this.problems.push(finding);
  }

  /** The object is not shaped as its kind must be: rejected as a bad request (400). */
  malform(finding: Finding): void {
    this.malformed.push(finding);
  }

  /** Suspicious but not wrong: admitted, and told to the user. */
  warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }
}

/** How a value looks in a message: `absent`, or JSON so that "" and "true" vs true are told apart. */
export function shown(value: unknown): string {
  if (value === undefined) return 'absent';
  return JSON.stringify(value) ?? String(value);
}
