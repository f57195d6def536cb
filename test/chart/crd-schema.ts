// Checks an object against a CustomResourceDefinition's openAPIV3Schema with ajv, the way the API
// server's strict field validation sees it: a structural schema rejects unknown fields unless it says
// x-kubernetes-preserve-unknown-fields, and x-kubernetes-int-or-string takes either. metadata is the API
// server's own business. (Formats, defaults and x-kubernetes-validations CEL rules are not checked here:
// the e2e suite applies the same objects to a real API server with the CRDs installed.)
import { Ajv, type ErrorObject } from 'ajv';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

type Schema = Record<string, unknown>;

interface Crd {
  kind: string;
  spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
}

const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;

/** The CRD schema as plain JSON Schema with Kubernetes' structural rules spelled out. */
function structural(schema: Schema): Schema {
  if (schema['x-kubernetes-int-or-string'] === true) return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
  const out: Schema = { ...schema };
  const properties = schema.properties as Record<string, Schema> | undefined;
  if (properties) out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, structural(v)]));
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = structural(schema.additionalProperties as Schema);
  else if (schema.type === 'object' && properties && schema.additionalProperties === undefined && schema['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (typeof schema.items === 'object') out.items = structural(schema.items as Schema);
  for (const key of SUBSCHEMA_LISTS) if (Array.isArray(schema[key])) out[key] = (schema[key] as Schema[]).map(structural);
  return out;
}

// CRD patterns are Go (RE2) regular expressions; the one RE2 form they use that JavaScript lacks is a
// (?i) at the start (after ^ or not), which is JavaScript's i flag.
function goRegExp(pattern: string, flags: string): RegExp {
  const insensitive = /^\^?\(\?i\)/.exec(pattern);
  if (!insensitive) return new RegExp(pattern, flags);
  return new RegExp(pattern.replace('(?i)', ''), `${flags}i`);
}
goRegExp.code = 'goRegExp';

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goRegExp } });

export interface CrdValidator {
  kind: string;
  /** Every problem as "path: message"; empty when the object fits. */
  validate(object: unknown): string[];
}

/** A validator for one served version of the (first) CRD in a YAML file. */
export function crdValidator(file: string, version: string): CrdValidator {
  const crd = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Crd | null)
    .find((d): d is Crd => d?.kind === 'CustomResourceDefinition');
  if (!crd) throw new Error(`${file} holds no CRD`);
  const served = crd.spec.versions.find((v) => v.name === version);
  if (!served) throw new Error(`${file} has no version ${version}`);
  const root = structural(served.schema.openAPIV3Schema);
  root.properties = { ...(root.properties as Record<string, Schema>), metadata: { type: 'object' } };
  const check = ajv.compile(root);
  const describe = (e: ErrorObject) =>
    `${e.instancePath || '(root)'}: ${e.message ?? e.keyword}${e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : ''}`;
  return {
    kind: crd.spec.names.kind,
    validate: (object) => (check(object) ? [] : (check.errors ?? []).map(describe)),
  };
}
