// One container's env read in CEL as the webhook reads it without API access (rules/container-env.ts):
// the last entry of a name wins; valueFrom, a value naming another variable, or an envFrom source other
// than Calico's kubernetes-services-endpoint make a variable unknown, and unknown is never rewritten.
import { KUBERNETES_SERVICES_ENDPOINT } from '../targets/shared/container-env.js';
import { lit } from './cel.js';
import type { Variable } from './model.js';

/** The CEL identifier part for an env variable name. */
export function id(name: string): string {
  return name.replace(/[^A-Za-z0-9]/g, '_');
}

/** `variables.<name>` */
export function v(name: string): string {
  return `variables.${name}`;
}

/**
 * Variables for reading env: `env`, `names`, `envFromOpaque` from the container variable `c` (guarded by
 * `ci`), then per name `i_X` (index of the effective entry, -1), `k_X` (absent, literal or unknown) and
 * `v_X` (the literal value, '' otherwise).
 */
export function envVariables(names: readonly string[]): Variable[] {
  const out: Variable[] = [
    { name: 'env', expression: `${v('ci')} < 0 ? [] : ${v('c')}.?env.orValue([])` },
    { name: 'names', expression: `${v('env')}.map(e, e.name)` },
    {
      name: 'envFromOpaque',
      expression: `${v('ci')} >= 0 && ${v('c')}.?envFrom.orValue([]).exists(s, s.?configMapRef.?name.orValue('') != ${lit(KUBERNETES_SERVICES_ENDPOINT)})`,
    },
  ];
  for (const name of names) {
    const x = id(name);
    out.push(
      { name: `i_${x}`, expression: `${v('names')}.lastIndexOf(${lit(name)})` },
      {
        name: `k_${x}`,
        expression: `${v(`i_${x}`)} < 0 ? (${v('envFromOpaque')} ? 'unknown' : 'absent') : `
          + `(${v('env')}[${v(`i_${x}`)}].?valueFrom.hasValue() || ${v('env')}[${v(`i_${x}`)}].?value.orValue('').contains('$(') ? 'unknown' : 'literal')`,
      },
      { name: `v_${x}`, expression: `${v(`k_${x}`)} == 'literal' ? ${v('env')}[${v(`i_${x}`)}].?value.orValue('') : ''` },
    );
  }
  return out;
}

/** Absent or empty: calico-node treats both as unset (rules/calico-node-env.ts unset). */
export function unsetCel(name: string, prefix: 'k' | 'pk' = 'k'): string {
  const x = id(name);
  const valuePrefix = prefix === 'k' ? 'v' : 'pv';
  return `(${v(`${prefix}_${x}`)} == 'absent' || (${v(`${prefix}_${x}`)} == 'literal' && ${v(`${valuePrefix}_${x}`)}.trim() == ''))`;
}

/** The found value as the webhook shows it: absent, or the literal JSON-quoted. */
export function foundCel(name: string, prefix: 'k' | 'pk' = 'k'): string {
  const x = id(name);
  const valuePrefix = prefix === 'k' ? 'v' : 'pv';
  return `(${v(`${prefix}_${x}`)} == 'absent' ? 'absent' : '"' + ${v(`${valuePrefix}_${x}`)} + '"')`;
}

/** The webhook's path of an env entry: `spec.template.spec.containers[name=calico-node].env[name=IP6]`. */
export function entryPathCel(name: string): string {
  return `${v('containerPath')} + ${lit(`.env[name=${name}]`)}`;
}
