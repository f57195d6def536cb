// The policies say what the webhook says: every expected value and fix text is taken from the engine's
// own finding on a witness object, written with a sentinel configuration whose values are then replaced
// by the params that hold them. A rule whose text changes changes the generated policies with it.
import { validateConfig } from '../config/validate.js';
import { DEFAULT_RAW_CONFIG, type RawConfig } from '../config/types.js';
import { analyze } from '../engine/analyze.js';
import { summarize } from '../engine/summary.js';
import type { KubeObject, Operation } from '../k8s/object.js';
import type { Finding } from '../targets/report.js';
import { celText, type Substitution } from './cel.js';
import { canonicalParam, param } from './params.js';

/** Configuration values no real text contains, so each occurrence in a finding is that setting. */
const SENTINEL: RawConfig = {
  ...DEFAULT_RAW_CONFIG,
  podCIDR: 'fd5e:1::/112',
  serviceCIDR: 'fd5e:2::/112',
  clusterDNS: 'fd5e:2::a',
  kubeDNS: { minImageVersion: '7.7.7' },
  calicoVersion: 'auto',
};

const CONFIG_SUBS: readonly Substitution[] = [
  { text: 'fd5e:1::/112', cel: canonicalParam('podCIDR') },
  { text: 'fd5e:2::/112', cel: canonicalParam('serviceCIDR') },
  { text: 'fd5e:2::a', cel: canonicalParam('clusterDNS') },
  { text: '10.77.0.0/16', cel: canonicalParam('ipv4PodCIDR') },
  { text: '7.7.7', cel: param('minImageVersion') },
];

export interface Witness {
  object: KubeObject;
  config?: RawConfig;
  operation?: Operation;
  oldObject?: KubeObject;
}

/** The engine's finding of `rule` on the witness (a change or a problem); generation fails without one. */
function findingOf(rule: string, witness: Witness): Finding {
  const config = validateConfig({ ...SENTINEL, ...witness.config });
  const analysis = analyze(witness.object, { config, operation: witness.operation ?? 'CREATE', oldObject: witness.oldObject });
  const summary = summarize(analysis);
  const found = [...summary.changes, ...summary.problems, ...summary.malformed].find((f) => f.rule === rule);
  if (!found) throw new Error(`policy generation: the engine reports no ${rule} on its witness; the rule changed, update src/policy`);
  return found;
}

/** A CEL message exactly as the webhook formats a finding, with `found` and the path computed at admission. */
export interface MessageParts {
  rule: string;
  /** CEL for the field path. */
  path: string;
  /** CEL for the found value as the webhook shows it. */
  found: string;
  witness: Witness;
  /** Extra pieces of the witness's texts that vary per object (the found value inside a fix text, a version). */
  subs?: readonly Substitution[];
  /** The change would have been made by mutation: the webhook's note that it was off or bypassed. */
  mutable?: boolean;
}

const MUTABLE_NOTE = ' (the mutating webhook makes this change; it is off or was bypassed)';

export function message(parts: MessageParts): string {
  const f = findingOf(parts.rule, parts.witness);
  const subs = [...(parts.subs ?? []), ...CONFIG_SUBS];
  return [
    `'[${parts.rule}] '`, `(${parts.path})`, "': found '", `(${parts.found})`, "', expected '", celText(f.expected, subs),
    "'. Fix: '", celText(f.fix + (parts.mutable ? MUTABLE_NOTE : ''), subs),
  ].join(' + ');
}

/** CEL showing a string value as the webhook's `shown` does: JSON-quoted. */
export function shownCel(value: string): string {
  return `'"' + ${value} + '"'`;
}
