// `$(VAR)` references in an env value, expanded as the kubelet expands them (kubernetes
// third_party/forked/golang/expansion/expand.go, Expand and tryReadVariableName; called from
// pkg/kubelet/kubelet_pods.go makeEnvironmentVariables): `$$` is a literal `$`, `$(NAME)` is replaced by
// NAME's value when it is defined, and left as written when it is not; an unclosed `$(` stays as it is.

/** What a reference resolves to: a value, undefined (not defined: kept as written), or unknown here. */
export type Lookup = (name: string) => { value: string } | undefined | 'unknown';

/** The expanded value, or the first reference that cannot be known here. */
export function expandEnvValue(input: string, lookup: Lookup): { value: string } | { unknown: string } {
  let out = '';
  let cursor = 0;
  while (cursor < input.length) {
    const dollar = input.indexOf('$', cursor);
    if (dollar < 0 || dollar + 1 >= input.length) {
      out += input.slice(cursor);
      break;
    }
    out += input.slice(cursor, dollar);
    const next = input[dollar + 1];
    if (next === '$') {
      out += '$';
      cursor = dollar + 2;
    } else if (next === '(') {
      const close = input.indexOf(')', dollar + 2);
      if (close < 0) {
        out += '$(';
        cursor = dollar + 2;
        continue;
      }
      const name = input.slice(dollar + 2, close);
      const found = lookup(name);
      if (found === 'unknown') return { unknown: name };
      out += found === undefined ? `$(${name})` : found.value;
      cursor = close + 1;
    } else {
      out += `$${next}`;
      cursor = dollar + 2;
    }
  }
  return { value: out };
}

/**
 * Service links the kubelet adds to the expansion's sources (pkg/kubelet/envvars/envvars.go FromServices):
 * `<SVC>_SERVICE_HOST`, `<SVC>_SERVICE_PORT[_<PORT>]` and `<SVC>_PORT[_...]`, which depend on the cluster's
 * Services and so cannot be known from a manifest.
 */
export function mayBeServiceLink(name: string): boolean {
  return /_(SERVICE_HOST|SERVICE_PORT(_\w+)?|PORT(_\w+)?)$/.test(name);
}
