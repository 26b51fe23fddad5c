// LINE's OpenAPI specification as a JSON-Schema validator (ajv), for tests only.
//
// The specification (../shared/platform/line-openapi/*.yml) is OpenAPI 3.0. This module turns
// each file's components.schemas into JSON Schema (draft-07, as ajv reads it) and compiles it:
//   - `$ref: "#/components/schemas/X"` (also across files) → the same schema in ajv;
//     siblings of a `$ref` are ignored, as OpenAPI 3.0 says;
//   - `nullable: true` → `null` added to `type` (and `enum`);
//   - OpenAPI annotations (`example`, `externalDocs`, `xml`, `x-…` extensions) dropped;
//   - `discriminator` mappings really select the subtype: a schema S with
//     `discriminator {propertyName: p, mapping: {k: T, …}}` becomes
//       S       = S__base ∧ p required ∧ p ∈ {k…} ∧ (if p = k then T)…
//       S__base = S without its discriminator,
//     and each mapped subtype T, which extends S with `allOf: [$ref S, …]`, refers to S__base
//     instead (else S → T → S would never end) and requires p = k. ajv's own `discriminator`
//     keyword needs `oneOf`, which the specification does not use.
// Request bodies are found from the specification's own `paths`: method + path → the
// requestBody schema of that operation (application/json or a form).

import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import Ajv from "ajv";
import addFormats from "ajv-formats";
import YAML from "yaml";

export const SPEC_FILES = [
  "messaging-api.yml",
  "webhook.yml",
  "channel-access-token.yml",
  "insight.yml",
  "manage-audience.yml",
];

// Keywords of OpenAPI 3.0's schema object that only annotate.
const ANNOTATIONS = new Set(["example", "externalDocs", "xml", "deprecated", "discriminator"]);
// Keywords whose value is a map of name → schema.
const SCHEMA_MAPS = new Set(["properties", "patternProperties"]);
// Keywords whose value is a schema.
const SCHEMA_VALUES = new Set(["items", "additionalProperties", "not", "if", "then", "else"]);
// Keywords whose value is an array of schemas.
const SCHEMA_ARRAYS = new Set(["allOf", "anyOf", "oneOf"]);

const COMPONENT_PREFIX = "#/components/schemas/";
const HTTP_METHODS = ["get", "put", "post", "delete", "patch"];

// The folder holding the specification: $MUSUBI_LINE_OPENAPI, else ../shared/platform/
// line-openapi beside the repository (or beside the folder holding a worktree), else the
// repository's own copy in tests/spec/line-openapi (the one musubi-sim is built with;
// spec.copy_current checks that it equals shared/'s wherever shared/ is there).
export function findSpecDir(start = path.dirname(fileURLToPath(import.meta.url))) {
  if (process.env.MUSUBI_LINE_OPENAPI) {
    const dir = process.env.MUSUBI_LINE_OPENAPI;
    return existsSync(path.join(dir, "messaging-api.yml")) ? dir : null;
  }
  let dir = path.resolve(start);
  for (;;) {
    const candidate = path.join(dir, "shared", "platform", "line-openapi");
    if (existsSync(path.join(candidate, "messaging-api.yml"))) {
      return candidate;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      break;
    }
    dir = parent;
  }
  const copy = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../spec/line-openapi");
  return existsSync(path.join(copy, "messaging-api.yml")) ? copy : null;
}

const fileId = (file) => `https://line-openapi.invalid/${file}`;

// `#/components/schemas/X` or `other.yml#/components/schemas/X` → an absolute ajv reference.
function resolveRef(ref, file, renames) {
  const hash = ref.indexOf("#");
  const target = hash > 0 ? ref.slice(0, hash) : file;
  const pointer = ref.slice(hash);
  if (!pointer.startsWith(COMPONENT_PREFIX)) {
    throw new Error(`${file}: unsupported $ref ${ref}`);
  }
  let name = pointer.slice(COMPONENT_PREFIX.length);
  name = renames?.get(name) ?? name;
  return `${fileId(target)}#/definitions/${name}`;
}

// One OpenAPI schema object → JSON Schema. `renames` maps component names to use instead
// (only for a subtype's direct `allOf` references to its discriminating base).
function convert(schema, file, renames = null) {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    throw new Error(`${file}: a schema must be an object, got ${JSON.stringify(schema)}`);
  }
  if (typeof schema.$ref === "string") {
    return { $ref: resolveRef(schema.$ref, file, renames) };
  }
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATIONS.has(key) || key === "nullable" || key.startsWith("x-")) {
      continue;
    }
    if (SCHEMA_MAPS.has(key)) {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, convert(sub, file)]));
    } else if (SCHEMA_VALUES.has(key)) {
      out[key] = typeof value === "boolean" ? value : convert(value, file);
    } else if (SCHEMA_ARRAYS.has(key)) {
      out[key] = value.map((sub) => convert(sub, file, key === "allOf" ? renames : null));
    } else if (key === "exclusiveMinimum" || key === "exclusiveMaximum") {
      // OpenAPI 3.0 (draft 4): a boolean beside minimum/maximum.
      if (value === true) {
        const bound = key === "exclusiveMinimum" ? "minimum" : "maximum";
        out[key] = schema[bound];
      } else if (typeof value === "number") {
        out[key] = value;
      }
    } else {
      out[key] = value;
    }
  }
  if ((out.exclusiveMinimum !== undefined && out.minimum === out.exclusiveMinimum)) {
    delete out.minimum;
  }
  if ((out.exclusiveMaximum !== undefined && out.maximum === out.exclusiveMaximum)) {
    delete out.maximum;
  }
  if (schema.nullable === true) {
    if (out.type !== undefined) {
      out.type = [...new Set([...(Array.isArray(out.type) ? out.type : [out.type]), "null"])];
    }
    if (Array.isArray(out.enum) && !out.enum.includes(null)) {
      out.enum = [...out.enum, null];
    }
  }
  return out;
}

function mappedName(ref, file) {
  const hash = ref.indexOf("#");
  if ((hash > 0 && ref.slice(0, hash) !== file) || !ref.slice(hash).startsWith(COMPONENT_PREFIX)) {
    throw new Error(`${file}: discriminator mapping to another file is not supported: ${ref}`);
  }
  return ref.slice(hash + COMPONENT_PREFIX.length);
}

// components.schemas of one file → {definitions} with the discriminators turned into if/then.
export function convertComponents(schemas, file) {
  // subtype name → [{base, property, key}]
  const subtypeOf = new Map();
  const bases = new Map();
  for (const [name, schema] of Object.entries(schemas)) {
    const discriminator = schema.discriminator;
    if (!discriminator) {
      continue;
    }
    if (!discriminator.mapping || Object.keys(discriminator.mapping).length === 0) {
      throw new Error(`${file}: ${name} has a discriminator without a mapping`);
    }
    bases.set(name, discriminator);
    for (const [key, ref] of Object.entries(discriminator.mapping)) {
      const target = mappedName(ref, file);
      if (!(target in schemas)) {
        throw new Error(`${file}: ${name}'s discriminator maps ${key} to unknown ${ref}`);
      }
      const list = subtypeOf.get(target) ?? [];
      list.push({ base: name, property: discriminator.propertyName, key });
      subtypeOf.set(target, list);
    }
  }

  for (const name of bases.keys()) {
    if (subtypeOf.has(name)) {
      // Its subtypes would inherit the parent's pinned key: not handled, so say so.
      throw new Error(`${file}: ${name} is both a discriminator base and a mapped subtype`);
    }
  }

  const definitions = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const parents = subtypeOf.get(name) ?? [];
    const renames = new Map(parents.map(({ base }) => [base, `${base}__base`]));
    let converted = convert(schema, file, renames);
    // A subtype named by exactly one key of a base it extends carries that key.
    const extendsBase = (base) => (schema.allOf ?? []).some(
      (sub) => typeof sub.$ref === "string" && sub.$ref === `${COMPONENT_PREFIX}${base}`);
    const pinned = parents.filter(({ base }) =>
      extendsBase(base) && parents.filter((p) => p.base === base).length === 1);
    if (pinned.length > 0) {
      converted = {
        allOf: [
          converted,
          ...pinned.map(({ property, key }) => ({
            required: [property],
            properties: { [property]: { const: key } },
          })),
        ],
      };
    }
    if (bases.has(name)) {
      const { propertyName, mapping } = bases.get(name);
      definitions[`${name}__base`] = converted;
      definitions[name] = {
        allOf: [
          { $ref: `${fileId(file)}#/definitions/${name}__base` },
          {
            required: [propertyName],
            properties: { [propertyName]: { enum: Object.keys(mapping) } },
          },
          ...Object.entries(mapping).map(([key, ref]) => ({
            if: { required: [propertyName], properties: { [propertyName]: { const: key } } },
            then: { $ref: `${fileId(file)}#/definitions/${mappedName(ref, file)}` },
          })),
        ],
      };
    } else {
      definitions[name] = converted;
    }
  }
  return definitions;
}

function pathPattern(template) {
  const escaped = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^$()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${escaped}$`);
}

export class Spec {
  constructor(dir = findSpecDir()) {
    if (!dir) {
      throw new Error("LINE's OpenAPI specification was not found: set MUSUBI_LINE_OPENAPI or " +
        "put it at ../shared/platform/line-openapi beside the repository");
    }
    this.dir = dir;
    this.ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false,
                        allowUnionTypes: true });
    addFormats(this.ajv);
    this.operations = [];
    this.cache = new Map();
    for (const file of SPEC_FILES) {
      const document = YAML.parse(readFileSync(path.join(dir, file), "utf8"));
      const definitions = convertComponents(document.components?.schemas ?? {}, file);
      this.ajv.addSchema({ $id: fileId(file), definitions });
      for (const [template, item] of Object.entries(document.paths ?? {})) {
        for (const method of HTTP_METHODS) {
          const operation = item[method];
          if (!operation) {
            continue;
          }
          const content = operation.requestBody?.content ?? null;
          this.operations.push({
            file,
            method: method.toUpperCase(),
            template,
            pattern: pathPattern(template),
            params: (template.match(/\{/g) ?? []).length,
            operationId: operation.operationId,
            required: operation.requestBody?.required === true,
            content,
          });
        }
      }
    }
    // A literal path wins over a templated one (OpenAPI: concrete paths match first).
    this.operations.sort((a, b) => a.params - b.params);
  }

  // A validator for a component schema by name, e.g. "PushMessageRequest".
  validator(name, file = "messaging-api.yml") {
    const key = `${file}#${name}`;
    if (!this.cache.has(key)) {
      const validate = this.ajv.getSchema(`${fileId(file)}#/definitions/${name}`);
      if (!validate) {
        throw new Error(`${file} has no schema ${name}`);
      }
      this.cache.set(key, validate);
    }
    return this.cache.get(key);
  }

  // The operation of the specification that serves method + path, or null.
  operation(method, requestPath) {
    return this.operations.find((op) => op.method === method && op.pattern.test(requestPath))
      ?? null;
  }

  // → {ok, kind, errors[]}; kind names the schema (e.g. "PushMessageRequest").
  checkRequest(method, requestPath, raw) {
    const op = this.operation(method, requestPath);
    if (!op) {
      return { ok: false, kind: `${method} ${requestPath}`,
               errors: [{ path: "", message: "no such operation in the specification" }] };
    }
    const where = `${method} ${op.template}`;
    if (!op.content) {
      return raw.length === 0
        ? { ok: true, kind: `${where} (no body)`, errors: [] }
        : { ok: false, kind: where,
            errors: [{ path: "", message: "the specification defines no request body here" }] };
    }
    if (raw.length === 0) {
      return op.required
        ? { ok: false, kind: where, errors: [{ path: "", message: "the request body is required" }] }
        : { ok: true, kind: `${where} (no body)`, errors: [] };
    }
    const [type, media] = Object.entries(op.content)[0];
    const form = type === "application/x-www-form-urlencoded" ? " (form)" : "";
    const kind = media.schema?.$ref
      ? `${media.schema.$ref.split("/").pop()}${form}`
      : `${op.operationId ?? where} request${form}`;
    let body;
    if (type === "application/json") {
      try {
        body = JSON.parse(raw);
      } catch (error) {
        return { ok: false, kind, errors: [{ path: "", message: `not JSON: ${error.message}` }] };
      }
    } else if (type === "application/x-www-form-urlencoded") {
      body = Object.fromEntries(new URLSearchParams(raw));
    } else {
      return { ok: true, kind: `${where} (${type}, not checked)`, errors: [] };
    }
    return { kind, ...this.checkValue(this.schemaOf(media.schema, op.file), body) };
  }

  // A webhook body against webhook.yml's CallbackRequest.
  checkWebhook(raw) {
    let body;
    try {
      body = JSON.parse(raw);
    } catch (error) {
      return { ok: false, kind: "CallbackRequest",
               errors: [{ path: "", message: `not JSON: ${error.message}` }] };
    }
    return { kind: "CallbackRequest",
             ...this.checkValue(this.validator("CallbackRequest", "webhook.yml"), body) };
  }

  schemaOf(schema, file) {
    if (schema.$ref) {
      return this.validator(schema.$ref.slice(COMPONENT_PREFIX.length), file);
    }
    return this.ajv.compile(convert(schema, file));
  }

  checkValue(validate, body) {
    if (validate(body)) {
      return { ok: true, errors: [] };
    }
    return { ok: false, errors: explain(validate.errors) };
  }
}

// ajv's errors, less the "must match then schema" echoes of the discriminator's if/then.
export function explain(errors) {
  const useful = errors.filter((e) => e.keyword !== "if");
  return (useful.length > 0 ? useful : errors).map((e) => ({
    path: e.instancePath,
    message: `${e.message}${e.params && Object.keys(e.params).length
      ? ` ${JSON.stringify(e.params)}` : ""}`,
    schemaPath: e.schemaPath,
  }));
}
