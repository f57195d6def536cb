// Checks an object against a CustomResourceDefinition's openAPIV3Schema the way the API server's strict
// field validation does for what matters in a chart: unknown fields, missing required fields, types,
// enums and patterns. (No CEL rules, formats or defaults.) Used for the cert-manager objects, whose CRDs
// are in ../shared/fixtures/cert-manager.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

export interface OpenApiSchema {
  type?: string;
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: boolean | OpenApiSchema;
  items?: OpenApiSchema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
}

interface Crd {
  spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: OpenApiSchema } }[] };
}

/** The schema of one version of the CRD in a file. */
export function crdSchema(file: string, version: string): { kind: string; schema: OpenApiSchema } {
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as Crd | null).filter((d): d is Crd => d !== null);
  const crd = docs[0];
  if (!crd) throw new Error(`${file} holds no CRD`);
  const served = crd.spec.versions.find((v) => v.name === version);
  if (!served) throw new Error(`${file} has no version ${version}`);
  return { kind: crd.spec.names.kind, schema: served.schema.openAPIV3Schema };
}

export function validateAgainst(schema: OpenApiSchema, value: unknown, path = ''): string[] {
  const errors: string[] = [];
  const at = path || '(root)';
  if (schema['x-kubernetes-int-or-string']) {
    if (!Number.isInteger(value) && typeof value !== 'string') errors.push(`${at}: must be an integer or a string`);
    return errors;
  }
  switch (schema.type) {
    case 'object': {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return [`${at}: must be an object`];
      const record = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (!(key in record)) errors.push(`${at}: missing required field ${key}`);
      for (const [key, child] of Object.entries(record)) {
        const childPath = `${path}.${key}`;
        const property = schema.properties?.[key];
        // metadata is validated by the API server itself, not by the CRD schema.
        if (path === '' && key === 'metadata') continue;
        if (property) errors.push(...validateAgainst(property, child, childPath));
        else if (typeof schema.additionalProperties === 'object') errors.push(...validateAgainst(schema.additionalProperties, child, childPath));
        else if (schema.additionalProperties !== true && !schema['x-kubernetes-preserve-unknown-fields']) errors.push(`${childPath}: unknown field`);
      }
      break;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: must be an array`];
      value.forEach((item, index) => {
        if (schema.items) errors.push(...validateAgainst(schema.items, item, `${path}[${index}]`));
      });
      break;
    case 'string':
      if (typeof value !== 'string') return [`${at}: must be a string, got ${JSON.stringify(value)}`];
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) errors.push(`${at}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
      break;
    case 'integer':
      if (!Number.isInteger(value)) return [`${at}: must be an integer`];
      break;
    case 'number':
      if (typeof value !== 'number') return [`${at}: must be a number`];
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return [`${at}: must be a boolean, got ${JSON.stringify(value)}`];
      break;
    default:
      break;
  }
  if (schema.enum && !schema.enum.includes(value)) errors.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  return errors;
}
