// Writing CEL source text from TypeScript: string literals, and text with parts computed at admission.

/** A CEL string literal for any text (single-quoted, backslash escapes). */
export function lit(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

/** A CEL list literal of strings. */
export function litList(items: readonly string[]): string {
  return `[${items.map(lit).join(', ')}]`;
}

/** Replaces one literal piece of a text with a CEL expression computed at admission. */
export interface Substitution {
  text: string;
  cel: string;
}

/**
 * A CEL expression that yields `text` with each substitution's text replaced by its expression: how a
 * message written by the engine for one witness object becomes a message for any object. Longer pieces
 * are replaced first, so a piece that contains another is not split.
 */
export function celText(text: string, subs: readonly Substitution[]): string {
  const ordered = [...subs].filter((s) => s.text !== '').sort((a, b) => b.text.length - a.text.length);
  const parts: string[] = [];
  let rest = text;
  outer: while (rest !== '') {
    let best: { at: number; sub: Substitution } | undefined;
    for (const sub of ordered) {
      const at = rest.indexOf(sub.text);
      if (at >= 0 && (best === undefined || at < best.at)) best = { at, sub };
    }
    if (!best) {
      parts.push(lit(rest));
      break outer;
    }
    if (best.at > 0) parts.push(lit(rest.slice(0, best.at)));
    parts.push(`(${best.sub.cel})`);
    rest = rest.slice(best.at + best.sub.text.length);
  }
  return parts.length === 0 ? "''" : parts.join(' + ');
}

/** `a ? b : c` chains: the first branch whose condition holds. */
export function firstOf(branches: readonly { when: string; then: string }[], otherwise: string): string {
  return branches.reduceRight((acc, b) => `(${b.when}) ? (${b.then}) : (${acc})`, otherwise);
}

/** A Calico or kube-dns version as one comparable integer: major * 1e6 + minor * 1e3 + patch. */
export function versionNumber(v: { major: number; minor: number; patch: number }): number {
  return v.major * 1_000_000 + v.minor * 1_000 + v.patch;
}

/** CEL turning a list of version parts (strings) into versionNumber's integer. */
export function celVersionOfParts(parts: string, withPatch = true): string {
  return `int(${parts}[0]) * 1000000 + int(${parts}[1]) * 1000${withPatch ? ` + (size(${parts}) > 2 ? int(${parts}[2]) : 0)` : ''}`;
}

/** The version regex of k8s/versions.ts parseVersion, in RE2. */
export const VERSION_RE = '^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?([-+][0-9A-Za-z.-]*)?$';

/** CEL: a version text (already known to match VERSION_RE) as its parts list. */
export function celVersionParts(text: string): string {
  return `(${text}.startsWith('v') ? ${text}.substring(1) : ${text}).split('-')[0].split('+')[0].split('.')`;
}

/**
 * CEL on a CIDR text: an IPv4-mapped IPv6 range written with a dotted quad (::ffff:10.0.0.0/104), which
 * cidr() refuses (k8s.io/apiserver@v0.37.2 pkg/cel/library/cidr.go:287-289) and the webhook refuses with its
 * own words (targets/ippool/ipv4-mapped.ts). The hex form (::ffff:a00:0/104) is refused as not a CIDR.
 */
export function mappedCel(text: string): string {
  return `(!isCIDR(${text}) && ${text}.matches('^[0:]*:[fF]{4}:[0-9]+[.][0-9]+[.][0-9]+[.][0-9]+/[0-9]+$'))`;
}

/** CEL: the IPv4 range such a text maps (`10.0.0.0/8`), as ipv4MappedRange gives it. */
export function mappedRangeCel(text: string): string {
  const prefix = `int(${text}.split('/')[1])`;
  return `${text}.split('/')[0].split(':')[size(${text}.split('/')[0].split(':')) - 1] + '/' + string(${prefix} > 96 ? ${prefix} - 96 : 0)`;
}
