// `policy`: the webhook's rules as ValidatingAdmissionPolicies and MutatingAdmissionPolicies, with their
// bindings and params, for the API server to run without a webhook pod; `--explain` lists what stays in
// the webhook and why.
import { stringify } from 'yaml';
import { loadConfig } from '../config/load.js';
import { policyManifest, type Engine, type ManifestOptions } from '../policy/manifest.js';
import { policyParams } from '../policy/params.js';
import { targetPolicies } from '../policy/registry.js';
import { explainLines } from '../policy/coverage.js';
import { CONFIG_FLAGS, CONFIG_HELP, configSource, parse, stringFlag, UsageError } from './options.js';
import type { CliIo } from './io.js';

export const POLICY_HELP = `Usage: calico-ipv6-webhook policy [options]

Prints the webhook's rules as Kubernetes admission policies: a params ConfigMap (the configuration), and per
target a ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes >= 1.30) and binding, and a
MutatingAdmissionPolicy and binding (v1 from Kubernetes 1.36; v1beta1 on 1.34 and 1.35 with the
MutatingAdmissionPolicy feature gate and --runtime-config=admissionregistration.k8s.io/v1beta1=true).
Apply them with kubectl apply -f -.

  --explain                   list, per rule, whether the policies implement it and why not
  --engine policy|hybrid      policy (default): the policies judge every target; hybrid: calico-node and
                              kube-dns only, the webhook the rest (and the objects the policies cannot judge)
  --namespace NS              namespace of the params ConfigMap (default kube-system)
  --namespaces NS,NS          namespaces whose objects are judged (default kube-system)
  --name NAME                 name prefix of every object (default calico-ipv6-webhook)
  --mutating-api-version v1|v1beta1
                              MutatingAdmissionPolicy version (default v1)
  --no-mutation               validating policies only

Exit codes: 0 the policies (or the explanation) printed, 1 an unexpected error, 2 usage or configuration error.

${CONFIG_HELP}`;

const FLAGS = {
  ...CONFIG_FLAGS,
  explain: { type: 'boolean' },
  engine: { type: 'string' },
  namespace: { type: 'string' },
  namespaces: { type: 'string' },
  name: { type: 'string' },
  'mutating-api-version': { type: 'string' },
  'no-mutation': { type: 'boolean' },
} as const;

function choice<T extends string>(value: string | undefined, allowed: readonly T[], flag: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

export function runPolicy(args: string[], io: CliIo): number {
  const { values } = parse(args, FLAGS, false);
  if (values.help) {
    io.stdout(POLICY_HELP);
    return 0;
  }
  if (values.explain) {
    for (const line of explainLines()) io.stdout(line);
    return 0;
  }
  const config = loadConfig(configSource(values, io.env));
  const engine = choice<Engine>(stringFlag(values, 'engine'), ['policy', 'hybrid'], 'engine', 'policy');
  const version = choice(stringFlag(values, 'mutating-api-version'), ['v1', 'v1beta1'] as const, 'mutating-api-version', 'v1');
  const options: ManifestOptions = {
    name: stringFlag(values, 'name') ?? 'calico-ipv6-webhook',
    namespace: stringFlag(values, 'namespace') ?? 'kube-system',
    namespaces: (stringFlag(values, 'namespaces') ?? 'kube-system').split(',').map((n) => n.trim()).filter((n) => n !== ''),
    mutatingApiVersion: `admissionregistration.k8s.io/${version}`,
    validationAction: config.validationAction === 'warn' ? 'Warn' : 'Deny',
    engine,
    mutation: values['no-mutation'] !== true,
  };
  const objects = policyManifest(targetPolicies(), policyParams(config, engine), options);
  io.stdoutRaw(objects.map((o) => `---\n${stringify(o, { lineWidth: 0 })}`).join(''));
  return 0;
}
