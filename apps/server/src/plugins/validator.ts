import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { explainErrors } from '@fleetmedic/protocol';
import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';

/** Decimal digits with an optional minus sign: the only way an integer may be written in a URL. */
const INTEGER_TEXT = /^-?[0-9]+$/;
/** An integer part with an optional decimal fraction: no exponent, hex, sign "+", spaces or words. */
const NUMBER_TEXT = /^-?[0-9]+(\.[0-9]+)?$/;

type NumericKind = 'integer' | 'number';

/**
 * Fastify's validator compiler for this server: TypeBox's (`TypeBoxValidatorCompiler`), with the
 * text of numeric querystring, params and headers values checked before TypeBox converts it, and
 * errors that say what would have been accepted (`explainErrors`: the allowed values of an enum,
 * e.g. `querystring/health must be one of cannot-join, unknown, at-risk, ready; got "bogus"`, and the
 * allowed names for a property an object does not take, e.g. `querystring/status is not allowed
 * here; allowed: search, finding, ...`), for every route and every part of the request.
 *
 * Why: for those parts TypeBox runs `Value.Convert`, which turns `"1.5"` into `1`, `"0x10"` into
 * 16, `"1e2"` into 100 and `"true"` into 1 for a `Type.Integer`, so `?hours=1.5` would be served
 * as `?hours=1`. Here an integer property must be written as decimal digits (optional leading
 * "-") within ±2^53, and a number property as digits with an optional decimal fraction;
 * anything else is a validation error (answered 400 by `installErrorHandlers`), e.g.
 * `querystring/hours must be an integer written in decimal digits, got "1.5"`. Bodies are JSON
 * and never converted, so they go to TypeBox unchanged.
 * Text no route can use is refused first (forbiddenTextErrors): control characters in params and
 * querystring, NUL anywhere in a body, e.g. `params/id must not contain control characters`.
 */
export const strictValidatorCompiler: FastifySchemaCompiler<TSchema> = (route) => {
  const typebox = TypeBoxValidatorCompiler(route);
  // Header values are the HTTP parser's business (a tab is legal there).
  const forbidden = route.httpPart === 'body' ? NUL : route.httpPart === 'headers' ? null : CONTROL;
  const validate = (value: unknown) => {
    const refused = forbidden ? forbiddenTextErrors(value, forbidden) : [];
    if (refused.length > 0) return { error: refused };
    const result = typebox(value) as { value?: unknown; error?: FastifySchemaValidationError[] };
    return result.error ? { error: explainErrors(result.error, route.schema, value) } : result;
  };
  const numeric = route.httpPart === 'body' ? [] : numericProperties(route.schema);
  if (numeric.length === 0) return validate;
  return (value) => {
    const errors = numeric.flatMap(([name, kind]) => numericTextErrors(name, kind, (value as Record<string, unknown> | null | undefined)?.[name]));
    return errors.length > 0 ? { error: errors } : validate(value);
  };
};

/** C0 controls and DEL: never part of an id, a name or a filter in a URL. */
const CONTROL = /[\x00-\x1f\x7f]/;
/** NUL: Postgres text and jsonb cannot hold it, so a body string with one could never be stored. */
const NUL = /\x00/;
/** How deep a body is walked for strings; bodies are small JSON objects, TypeBox bounds the rest. */
const MAX_WALK_DEPTH = 32;

/**
 * One error per string (or property name) in `value` that `forbidden` matches, at its path:
 * params and querystring refuse every control character, bodies refuse NUL, before TypeBox and
 * before any of it reaches Postgres (which answers NUL with an error, a 500 before this check).
 */
function forbiddenTextErrors(value: unknown, forbidden: RegExp, at = '', depth = 0): FastifySchemaValidationError[] {
  const error = (path: string): FastifySchemaValidationError => ({
    keyword: 'pattern', instancePath: path, schemaPath: '#', params: { pattern: forbidden.source },
    message: forbidden === NUL ? 'must not contain NUL (\\u0000)' : 'must not contain control characters',
  });
  if (typeof value === 'string') return forbidden.test(value) ? [error(at || '/')] : [];
  if (typeof value !== 'object' || value === null || depth >= MAX_WALK_DEPTH) return [];
  const errors: FastifySchemaValidationError[] = [];
  for (const [key, item] of Object.entries(value)) {
    const path = `${at}/${key}`;
    if (forbidden.test(key)) errors.push(error(path));
    else errors.push(...forbiddenTextErrors(item, forbidden, path, depth + 1));
    if (errors.length >= 10) break;
  }
  return errors;
}

/** The top-level properties of an object schema whose type is integer or number. */
function numericProperties(schema: TSchema): Array<[string, NumericKind]> {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> }).properties ?? {};
  return Object.entries(properties)
    .filter((entry): entry is [string, { type: NumericKind }] => entry[1].type === 'integer' || entry[1].type === 'number')
    .map(([name, s]) => [name, s.type]);
}

/** Errors for one property's raw value (a string, an array of strings when repeated, or absent). */
function numericTextErrors(name: string, kind: NumericKind, raw: unknown): FastifySchemaValidationError[] {
  const texts = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  return texts.flatMap((text) => {
    const wellFormed = kind === 'integer' ? INTEGER_TEXT.test(text) : NUMBER_TEXT.test(text);
    if (wellFormed && Number.isSafeInteger(Math.trunc(Number(text)))) return [];
    const expected = kind === 'integer' ? 'an integer written in decimal digits' : 'a decimal number';
    const why = wellFormed ? `${expected} within ±${Number.MAX_SAFE_INTEGER}` : expected;
    return [{
      keyword: 'type',
      instancePath: `/${name}`,
      schemaPath: `#/properties/${name}/type`,
      params: { type: kind },
      message: `must be ${why}, got ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text)}`,
    }];
  });
}
