import { Compile } from 'typebox/compile';
import type { Static, TSchema } from 'typebox';

export type Validated<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/**
 * Compiles a schema once and returns a validator that never throws.
 * Errors are "path: message" strings (explained by `explainErrors`), at most 10.
 */
export function validator<T extends TSchema>(schema: T): (input: unknown) => Validated<Static<T>> {
  const compiled = Compile(schema);
  return (input) => {
    if (compiled.Check(input)) return { ok: true, value: input as Static<T> };
    const errors = explainErrors([...compiled.Errors(input)], schema, input).slice(0, 10).map((e) => `${e.instancePath || '/'}: ${e.message}`);
    return { ok: false, errors };
  };
}

/** A validation error as TypeBox reports it (AJV's shape): JSON pointers into the value and the schema. */
export interface SchemaError {
  keyword: string;
  /** where in the value, e.g. `/filter/health` ('' for the value itself) */
  instancePath: string;
  /** where in the schema, e.g. `#/properties/filter/properties/health` */
  schemaPath: string;
  params: object;
  message?: string;
}

/** Longest value text quoted in a message, characters. */
const SHOWN_CHARS = 40;

/**
 * Rewrites TypeBox's errors so that they say what would have been accepted:
 * - a value outside a list of constants (`Type.Enum`, or a `Type.Union` of `Type.Literal`s,
 *   which TypeBox reports as one "must be equal to constant" per member plus "must match a
 *   schema in anyOf", cut off at its 8 errors for a long list) becomes one error:
 *   `must be one of cannot-join, unknown, at-risk, ready; got "bogus"`;
 * - a property an object does not allow (`additionalProperties: false`, reported as "schema is
 *   false" plus "must not have additional properties") becomes one error at that property:
 *   `is not allowed here; allowed: search, finding, health, online`.
 * Other errors are kept as they are, in their order. `schema` is the schema validated against,
 * `value` the value (to quote what was sent).
 */
export function explainErrors<E extends SchemaError>(errors: readonly E[], schema: unknown, value: unknown): E[] {
  const out: E[] = [];
  const listed = new Set<string>();
  const refused: string[] = [];
  for (const e of errors) {
    const union = e.keyword === 'anyOf' ? e.schemaPath : /\/anyOf\/\d+$/.test(e.schemaPath) ? e.schemaPath.replace(/\/anyOf\/\d+$/, '') : null;
    const unionValues = union === null ? null : constants(schemaAt(schema, union));
    const allowed = e.keyword === 'additionalProperties' ? allowedNames(schemaAt(schema, e.schemaPath)) : null;
    if (e.keyword === 'enum') {
      out.push({ ...e, message: oneOf((e.params as { allowedValues: unknown[] }).allowedValues, valueAt(value, e.instancePath)) });
    } else if (union !== null && unionValues) {
      // One error for the union, whichever of its members' errors comes first.
      const key = `${union} ${e.instancePath}`;
      if (!listed.has(key)) out.push({ ...e, keyword: 'anyOf', schemaPath: union, params: {}, message: oneOf(unionValues, valueAt(value, e.instancePath)) });
      listed.add(key);
    } else if (allowed) {
      const message = `is not allowed here; allowed: ${allowed.length ? allowed.join(', ') : 'nothing'}`;
      for (const name of ([] as string[]).concat((e.params as { additionalProperties: string | string[] }).additionalProperties)) {
        out.push({ ...e, instancePath: `${e.instancePath}/${escapePointer(name)}`, message });
      }
      refused.push(`${e.schemaPath}/additionalProperties`);
    } else {
      out.push(e);
    }
  }
  // A refused property's "schema is false" says nothing more.
  return out.filter((e) => !(e.keyword === 'boolean' && refused.includes(e.schemaPath)));
}

/** `must be one of a, b, c; got "x"` (values as JSON unless plain strings; the value sent cut to 40 characters). */
function oneOf(allowed: readonly unknown[], got: unknown): string {
  const list = allowed.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
  return got === undefined ? `must be one of ${list}` : `must be one of ${list}; got ${shown(got)}`;
}

const shown = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v.length > SHOWN_CHARS ? `${v.slice(0, SHOWN_CHARS)}...` : v);
  const text = JSON.stringify(v) ?? String(v);
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}...` : text;
};

/** The constants an anyOf schema allows (its members are all `const`, `enum` or null), or null. */
function constants(node: unknown): unknown[] | null {
  const members = (node as { anyOf?: unknown[] } | undefined)?.anyOf;
  if (!Array.isArray(members) || members.length === 0) return null;
  const values: unknown[] = [];
  for (const m of members as Array<{ const?: unknown; enum?: unknown[]; type?: unknown }>) {
    if ('const' in m) values.push(m.const);
    else if (Array.isArray(m.enum)) values.push(...m.enum);
    else if (m.type === 'null') values.push(null);
    else return null;
  }
  return values;
}

/** The property names an object schema that refuses others allows, or null when it allows any. */
function allowedNames(node: unknown): string[] | null {
  const object = node as { additionalProperties?: unknown; properties?: Record<string, unknown> } | undefined;
  return object?.additionalProperties === false ? Object.keys(object.properties ?? {}) : null;
}

/** The part of a schema a `#/a/b` pointer names, or undefined. */
function schemaAt(schema: unknown, pointer: string): unknown {
  return walk(schema, pointer.replace(/^#/, ''));
}

/** The part of a value a `/a/b` pointer names, or undefined. */
function valueAt(value: unknown, pointer: string): unknown {
  return walk(value, pointer);
}

function walk(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node = root;
  for (const token of pointer.slice(1).split('/')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[token.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

const escapePointer = (name: string) => name.replace(/~/g, '~0').replace(/\//g, '~1');
