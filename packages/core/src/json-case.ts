/** Results (camelCase, Dates, bigint) to the JSON the API and the CLI print (snake_case, ISO strings). */
type Row = Record<string, unknown>;

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Generic: keys to snake_case, Dates to ISO, bigint to string, nested objects too. */
export function toJson(v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.map(toJson);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v as Row).map(([k, x]) => [snake(k), toJson(x)]));
  return v;
}
