/** A value that survives JSON (and a jsonb column) unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type JsonObject = { [key: string]: JsonValue };

export type JsonScalar = string | number | boolean | null;

/**
 * A one-level JSON object. Entity columns use it where a nested JsonValue would make TypeORM's
 * deep-partial types recurse without end.
 */
export type FlatJsonObject = { [key: string]: JsonScalar };
