// Objects come from YAML files and API servers that may not have applied CRD
// validation, so any field can have the wrong shape. These helpers read a
// field as the shape the code needs, or as empty.

/** The value if it is an array, else []. */
export function arrayOf<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}

/** The value if it is a plain object, else undefined. */
export function objectOf<T extends object>(v: unknown): T | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as T) : undefined;
}

export function stringOf(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
