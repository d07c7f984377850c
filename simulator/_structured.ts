/**
 * What the simulator generates for a request that constrains its output: a
 * conforming text, cut into "tokens" of at most four characters, in place of
 * its vocabulary words. Read from the OpenAI routes' fields: vLLM's
 * `structured_outputs` (`json`, `regex`, `choice`) and the older
 * `guided_json` / `guided_regex` / `guided_choice`, and OpenAI's
 * `response_format` (`json_schema.schema`). The text is:
 *
 * - a JSON schema: a minimal valid instance (`const`, the first of `enum`,
 *   `anyOf` / `oneOf`; objects with their `required` properties; strings of
 *   `minLength` letters; numbers at their `minimum`; arrays of `minItems`
 *   items); a schema beyond these keywords (`pattern`, `format`, `$ref`, …)
 *   may get an instance that does not validate;
 * - a regex: its shortest string by `randexp` (each repetition its minimum,
 *   each alternative the first), or nothing for a regex it cannot read;
 * - a choice: the first choice.
 *
 * @module
 */
import RandExp from "npm:randexp@^0.5.3";

/** Characters per generated "token" of a constrained output. */
const PIECE = 4;

type Schema = Record<string, unknown>;

const isSchema = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A minimal instance of `schema` (see the module doc for the keywords it reads). */
export function minimalInstance(schema: unknown, depth = 0): unknown {
  if (!isSchema(schema) || depth > 16) return null;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const list = schema[key];
    if (Array.isArray(list) && list.length > 0) return minimalInstance(list[0], depth + 1);
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  const type = types.find((t) => t !== "null") ?? types[0] ??
    (isSchema(schema.properties) ? "object" : undefined);
  switch (type) {
    case "object": {
      const properties = isSchema(schema.properties) ? schema.properties : {};
      const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
      return Object.fromEntries(
        required.map((key) => [key, minimalInstance(properties[key] ?? {}, depth + 1)]),
      );
    }
    case "array": {
      const n = typeof schema.minItems === "number" ? schema.minItems : 0;
      return Array.from({ length: n }, () => minimalInstance(schema.items ?? {}, depth + 1));
    }
    case "string":
      return "a".repeat(typeof schema.minLength === "number" ? schema.minLength : 0);
    case "integer":
    case "number": {
      if (typeof schema.minimum === "number") return Math.ceil(schema.minimum);
      if (typeof schema.exclusiveMinimum === "number") {
        return Math.floor(schema.exclusiveMinimum) + 1;
      }
      return typeof schema.maximum === "number" ? Math.min(0, Math.floor(schema.maximum)) : 0;
    }
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return {};
  }
}

/** The shortest string `pattern` matches, as randexp makes it; "" when it cannot. */
function shortestMatch(pattern: string): string {
  try {
    const generator = new RandExp(pattern);
    generator.randInt = (min: number) => min;
    return generator.gen();
  } catch {
    return "";
  }
}

/** The constrained text a request body asks for, or undefined when it asks for none. */
export function constrainedText(body: Record<string, unknown>): string | undefined {
  const structured = isSchema(body.structured_outputs) ? body.structured_outputs : {};
  const format = isSchema(body.response_format) ? body.response_format : {};
  const jsonSchema = isSchema(format.json_schema) ? format.json_schema.schema : undefined;
  const schema = structured.json ?? body.guided_json ?? jsonSchema;
  if (schema !== undefined) {
    const parsed = typeof schema === "string" ? safeParse(schema) : schema;
    return JSON.stringify(minimalInstance(parsed));
  }
  if (format.type === "json_object") return "{}";
  const regex = structured.regex ?? body.guided_regex;
  if (typeof regex === "string") return shortestMatch(regex);
  const choice = structured.choice ?? body.guided_choice;
  if (Array.isArray(choice) && choice.length > 0) return String(choice[0]);
  return undefined;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

/** `text` cut into the pieces the simulator streams as tokens (at least one). */
export function textPieces(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += PIECE) pieces.push(text.slice(i, i + PIECE));
  return pieces.length === 0 ? [""] : pieces;
}
