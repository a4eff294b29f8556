/**
 * A small parser for the part of the Prisma schema language this project uses, and the PostgreSQL
 * objects `prisma migrate` creates for it (column types, defaults, Prisma's constraint names).
 * Anything outside that part throws instead of being skipped, so a drift check built on it can
 * never pass by not understanding the schema.
 */

export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: string }
  | { kind: 'array'; items: Value[] }
  /** An identifier (`Desc`, `true`, `startedAt`), or a call when `args` is set (`now()`, `startedAt(sort: Desc)`). */
  | { kind: 'ident'; name: string; args?: Arg[] };
export type Arg = { name?: string; value: Value };
export type Attribute = { name: string; args: Arg[]; line: number };
export type Field = { name: string; type: string; optional: boolean; list: boolean; attributes: Attribute[]; line: number };
export type Model = { name: string; fields: Field[]; attributes: Attribute[] };
export type EnumValue = { name: string; attributes: Attribute[] };
export type Enum = { name: string; values: EnumValue[]; attributes: Attribute[] };
export type PrismaSchema = { models: Model[]; enums: Enum[] };

type Token = { kind: 'ident' | 'string' | 'number' | 'punct' | 'newline'; text: string; line: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      tokens.push({ kind: 'newline', text: '\n', line: line++ });
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (src.startsWith('//', i)) {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '"') {
      let text = '';
      for (i++; src[i] !== '"'; i++) {
        if (i >= src.length || src[i] === '\n') throw new Error(`schema.prisma:${line}: unterminated string`);
        if (src[i] === '\\') i++;
        text += src[i];
      }
      i++;
      tokens.push({ kind: 'string', text, line });
    } else if (/[-0-9]/.test(c)) {
      const m = /^-?\d+(\.\d+)?/.exec(src.slice(i));
      if (!m) throw new Error(`schema.prisma:${line}: unexpected '${c}'`);
      tokens.push({ kind: 'number', text: m[0], line });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(src.slice(i))!;
      tokens.push({ kind: 'ident', text: m[0], line });
      i += m[0].length;
    } else if (src.startsWith('@@', i)) {
      tokens.push({ kind: 'punct', text: '@@', line });
      i += 2;
    } else if ('{}()[],:?@='.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
    } else {
      throw new Error(`schema.prisma:${line}: unexpected '${c}'`);
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }
  private next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new Error('schema.prisma: unexpected end of file');
    return t;
  }
  private is(text: string): boolean {
    return this.peek()?.text === text && this.peek()?.kind !== 'string';
  }
  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text || t.kind === 'string') throw new Error(`schema.prisma:${t.line}: expected '${text}', found '${t.text}'`);
    return t;
  }
  private ident(): Token {
    const t = this.next();
    if (t.kind !== 'ident') throw new Error(`schema.prisma:${t.line}: expected a name, found '${t.text}'`);
    return t;
  }
  private skipNewlines(): void {
    while (this.peek()?.kind === 'newline') this.pos++;
  }

  parse(): PrismaSchema {
    const schema: PrismaSchema = { models: [], enums: [] };
    for (this.skipNewlines(); this.peek(); this.skipNewlines()) {
      const keyword = this.ident();
      const name = this.ident().text;
      if (keyword.text === 'model') schema.models.push(this.model(name));
      else if (keyword.text === 'enum') schema.enums.push(this.enumBlock(name));
      else if (keyword.text === 'generator' || keyword.text === 'datasource') this.skipBlock();
      else throw new Error(`schema.prisma:${keyword.line}: '${keyword.text}' blocks are not supported by this parser`);
    }
    return schema;
  }

  private skipBlock(): void {
    this.expect('{');
    while (!this.is('}')) this.next();
    this.next();
  }

  private model(name: string): Model {
    const model: Model = { name, fields: [], attributes: [] };
    this.expect('{');
    for (this.skipNewlines(); !this.is('}'); this.skipNewlines()) {
      if (this.is('@@')) {
        model.attributes.push(this.attribute());
      } else {
        const fieldName = this.ident();
        const type = this.ident().text;
        const list = this.is('[') ? (this.next(), this.expect(']'), true) : false;
        const optional = this.is('?') ? (this.next(), true) : false;
        const attributes: Attribute[] = [];
        while (this.is('@')) attributes.push(this.attribute());
        model.fields.push({ name: fieldName.text, type, list, optional, attributes, line: fieldName.line });
      }
      this.endOfLine();
    }
    this.next();
    return model;
  }

  private enumBlock(name: string): Enum {
    const result: Enum = { name, values: [], attributes: [] };
    this.expect('{');
    for (this.skipNewlines(); !this.is('}'); this.skipNewlines()) {
      if (this.is('@@')) {
        result.attributes.push(this.attribute());
      } else {
        const value: EnumValue = { name: this.ident().text, attributes: [] };
        while (this.is('@')) value.attributes.push(this.attribute());
        result.values.push(value);
      }
      this.endOfLine();
    }
    this.next();
    return result;
  }

  private endOfLine(): void {
    const t = this.peek();
    if (t && t.kind !== 'newline' && t.text !== '}') throw new Error(`schema.prisma:${t.line}: unexpected '${t.text}'`);
  }

  private attribute(): Attribute {
    const at = this.next();
    const name = `${at.text}${this.ident().text}`;
    return { name, args: this.is('(') ? this.args() : [], line: at.line };
  }

  private args(): Arg[] {
    const args: Arg[] = [];
    this.expect('(');
    while (!this.is(')')) {
      const named = this.peek()?.kind === 'ident' && this.tokens[this.pos + 1]?.text === ':';
      const argName = named ? this.next().text : undefined;
      if (named) this.expect(':');
      args.push({ name: argName, value: this.value() });
      if (!this.is(')')) this.expect(',');
    }
    this.next();
    return args;
  }

  private value(): Value {
    const t = this.next();
    if (t.kind === 'string') return { kind: 'string', value: t.text };
    if (t.kind === 'number') return { kind: 'number', value: t.text };
    if (t.kind === 'ident') return this.is('(') ? { kind: 'ident', name: t.text, args: this.args() } : { kind: 'ident', name: t.text };
    if (t.text === '[') {
      const items: Value[] = [];
      while (!this.is(']')) {
        items.push(this.value());
        if (!this.is(']')) this.expect(',');
      }
      this.next();
      return { kind: 'array', items };
    }
    throw new Error(`schema.prisma:${t.line}: unexpected '${t.text}'`);
  }
}

export function parsePrismaSchema(source: string): PrismaSchema {
  return new Parser(tokenize(source)).parse();
}

// ---------------------------------------------------------------------------------------------
// What `prisma migrate` creates in PostgreSQL for a parsed schema.

export type ColumnShape = { type: string; nullable: boolean; default: string | null };
export type IndexShape = { columns: string[]; desc: boolean[]; unique: boolean; method: string };
export type ForeignKeyShape = { columns: string[]; refTable: string; refColumns: string[]; onDelete: string; onUpdate: string };
export type TableShape = {
  columns: Record<string, ColumnShape>;
  primaryKey: { name: string; columns: string[] } | null;
  /** Every index but the primary key's, by name (unique constraints are unique indexes here). */
  indexes: Record<string, IndexShape>;
  foreignKeys: Record<string, ForeignKeyShape>;
};
export type DbShape = { tables: Record<string, TableShape>; enums: Record<string, string[]> };

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Boolean: 'boolean',
  DateTime: 'timestamp(3) without time zone',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** Native type attribute -> [the Prisma scalar it applies to, the type as format_type() prints it]. */
const NATIVE_TYPES: Record<string, [string, (args: string[]) => string]> = {
  Text: ['String', () => 'text'],
  VarChar: ['String', (a) => (a[0] ? `character varying(${a[0]})` : 'character varying')],
  Uuid: ['String', () => 'uuid'],
  SmallInt: ['Int', () => 'smallint'],
  Integer: ['Int', () => 'integer'],
  Date: ['DateTime', () => 'date'],
  Timestamp: ['DateTime', (a) => (a[0] ? `timestamp(${a[0]}) without time zone` : 'timestamp without time zone')],
  Timestamptz: ['DateTime', (a) => (a[0] ? `timestamp(${a[0]}) with time zone` : 'timestamp with time zone')],
  Real: ['Float', () => 'real'],
  DoublePrecision: ['Float', () => 'double precision'],
  Decimal: ['Decimal', (a) => (a.length ? `numeric(${a.join(',')})` : 'numeric')],
  Json: ['Json', () => 'json'],
  JsonB: ['Json', () => 'jsonb'],
};

const ACTIONS: Record<string, string> = {
  Cascade: 'CASCADE',
  Restrict: 'RESTRICT',
  NoAction: 'NO ACTION',
  SetNull: 'SET NULL',
  SetDefault: 'SET DEFAULT',
};

const FIELD_ATTRIBUTES = new Set(['@id', '@default', '@unique', '@map', '@updatedAt', '@relation']);
const MODEL_ATTRIBUTES = new Set(['@@id', '@@unique', '@@index', '@@map']);

/** Prisma's default constraint names: `{table}_{columns}_{suffix}`, cut to Postgres' 63 bytes. */
export function prismaConstraintName(table: string, columns: string[], suffix: 'pkey' | 'key' | 'idx' | 'fkey'): string {
  const base = suffix === 'pkey' ? table : `${table}_${columns.join('_')}`;
  return `${base.slice(0, 63 - suffix.length - 1)}_${suffix}`;
}

const find = (attrs: Attribute[], name: string) => attrs.find((a) => a.name === name);
/** The argument called `name`, or else the unnamed one at `position` (`@@index([a])` = `@@index(fields: [a])`). */
const argOf = (args: Arg[], name: string, position?: number): Value | undefined =>
  args.find((x) => x.name === name)?.value ?? (position === undefined ? undefined : args.filter((x) => !x.name)[position]?.value);
const arg = (a: Attribute | undefined, name: string, position?: number) => argOf(a?.args ?? [], name, position);

function str(v: Value | undefined, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (v.kind !== 'string') throw new Error(`${what} must be a string`);
  return v.value;
}
function ident(v: Value | undefined, what: string): string | undefined {
  if (v === undefined) return undefined;
  if (v.kind !== 'ident' || v.args) throw new Error(`${what} must be a name`);
  return v.name;
}
function list(v: Value | undefined, what: string): Value[] {
  if (v?.kind !== 'array') throw new Error(`${what} must be a list`);
  return v.items;
}

const dbName = (name: string, attrs: Attribute[], mapAttr: string) => str(arg(find(attrs, mapAttr), 'name', 0), mapAttr) ?? name;

/** The PostgreSQL tables, columns, enums, keys and indexes `prisma migrate` would create for `schema`. */
export function expectedDatabase(schema: PrismaSchema): DbShape {
  const enums = new Map(schema.enums.map((e) => [e.name, e]));
  const models = new Map(schema.models.map((m) => [m.name, m]));
  const shape: DbShape = { tables: {}, enums: {} };
  const tableOf = (m: Model) => dbName(m.name, m.attributes, '@@map');

  for (const e of schema.enums) {
    for (const a of e.attributes) if (a.name !== '@@map') throw new Error(`enum ${e.name}: ${a.name} is not supported`);
    shape.enums[dbName(e.name, e.attributes, '@@map')] = e.values.map((v) => {
      for (const a of v.attributes) if (a.name !== '@map') throw new Error(`enum ${e.name}.${v.name}: ${a.name} is not supported`);
      return dbName(v.name, v.attributes, '@map');
    });
  }

  for (const model of schema.models) {
    const where = `model ${model.name}`;
    const table = tableOf(model);
    const t: TableShape = { columns: {}, primaryKey: null, indexes: {}, foreignKeys: {} };
    shape.tables[table] = t;
    const scalars = model.fields.filter((f) => !models.has(f.type));
    const column = (fieldName: string) => {
      const f = scalars.find((x) => x.name === fieldName);
      if (!f) throw new Error(`${where}: ${fieldName} is not a scalar field of the model`);
      return dbName(f.name, f.attributes, '@map');
    };
    const fieldRefs = (items: Value[], what: string) =>
      items.map((v) => {
        if (v.kind !== 'ident') throw new Error(`${where}: ${what} lists fields by name`);
        const sort = ident(argOf(v.args ?? [], 'sort'), `${what} sort`) ?? 'Asc';
        for (const a of v.args ?? []) if (a.name !== 'sort') throw new Error(`${where}: ${what}(${a.name ?? '…'}) is not supported`);
        return { column: column(v.name), desc: sort === 'Desc' };
      });
    const addIndex = (refs: { column: string; desc: boolean }[], unique: boolean, map: string | undefined, method = 'btree') => {
      const columns = refs.map((r) => r.column);
      t.indexes[map ?? prismaConstraintName(table, columns, unique ? 'key' : 'idx')] = { columns, desc: refs.map((r) => r.desc), unique, method };
    };

    for (const f of model.fields) {
      const fw = `${where}.${f.name}`;
      for (const a of f.attributes) {
        if (!FIELD_ATTRIBUTES.has(a.name) && !a.name.startsWith('@db.')) throw new Error(`${fw}: ${a.name} is not supported`);
      }
      const target = models.get(f.type);
      if (target) {
        const rel = find(f.attributes, '@relation');
        const fields = arg(rel, 'fields');
        if (!rel || !fields) continue; // the other side of a relation: no column, no key
        const columns = list(fields, `${fw} @relation fields`).map((v) => column(ident(v, `${fw} @relation fields`)!));
        const refColumns = list(arg(rel, 'references'), `${fw} @relation references`).map((v) => {
          const name = ident(v, `${fw} @relation references`)!;
          const rf = target.fields.find((x) => x.name === name);
          if (!rf) throw new Error(`${fw}: ${target.name}.${name} does not exist`);
          return dbName(rf.name, rf.attributes, '@map');
        });
        const action = (key: string, fallback: string) => {
          const a = ident(arg(rel, key), `${fw} ${key}`) ?? fallback;
          if (!ACTIONS[a]) throw new Error(`${fw}: unknown ${key} ${a}`);
          return ACTIONS[a];
        };
        const name = str(arg(rel, 'map'), `${fw} map`) ?? prismaConstraintName(table, columns, 'fkey');
        t.foreignKeys[name] = {
          columns,
          refTable: tableOf(target),
          refColumns,
          // Prisma's defaults: a required relation restricts deletes, an optional one nulls the key.
          onDelete: action('onDelete', f.optional ? 'SetNull' : 'Restrict'),
          onUpdate: action('onUpdate', 'Cascade'),
        };
        continue;
      }
      if (f.list) throw new Error(`${fw}: scalar lists are not supported by this parser`);
      const col = dbName(f.name, f.attributes, '@map');
      t.columns[col] = { type: columnType(f, enums, fw), nullable: f.optional, default: columnDefault(f, table, col, enums, fw) };
      const id = find(f.attributes, '@id');
      if (id) t.primaryKey = { name: str(arg(id, 'map'), `${fw} @id map`) ?? prismaConstraintName(table, [col], 'pkey'), columns: [col] };
      const unique = find(f.attributes, '@unique');
      if (unique) addIndex([{ column: col, desc: ident(arg(unique, 'sort'), `${fw} sort`) === 'Desc' }], true, str(arg(unique, 'map'), `${fw} map`));
    }

    for (const a of model.attributes) {
      const aw = `${where} ${a.name}`;
      if (!MODEL_ATTRIBUTES.has(a.name)) throw new Error(`${where}: ${a.name} is not supported`);
      if (a.name === '@@map') continue;
      for (const x of a.args) {
        if (x.name && !['fields', 'map', 'name', 'type'].includes(x.name)) throw new Error(`${aw}: argument ${x.name} is not supported`);
      }
      const refs = fieldRefs(list(arg(a, 'fields', 0), `${aw} fields`), a.name);
      const map = str(arg(a, 'map'), `${aw} map`);
      if (a.name === '@@id') t.primaryKey = { name: map ?? prismaConstraintName(table, [], 'pkey'), columns: refs.map((r) => r.column) };
      else if (a.name === '@@unique') addIndex(refs, true, map);
      else addIndex(refs, false, map, ident(arg(a, 'type'), `${aw} type`)?.toLowerCase());
    }
    if (!t.primaryKey) throw new Error(`${where} has no @id or @@id`);
  }
  return shape;
}

function columnType(f: Field, enums: Map<string, Enum>, where: string): string {
  const e = enums.get(f.type);
  if (e) return dbName(e.name, e.attributes, '@@map');
  const base = SCALAR_TYPES[f.type];
  if (!base) throw new Error(`${where}: unknown type ${f.type}`);
  const natives = f.attributes.filter((a) => a.name.startsWith('@db.'));
  if (natives.length > 1) throw new Error(`${where}: more than one native type`);
  const native = natives[0];
  if (!native) return base;
  const entry = NATIVE_TYPES[native.name.slice(4)];
  if (!entry) throw new Error(`${where}: native type ${native.name} is not supported by this parser`);
  if (entry[0] !== f.type) throw new Error(`${where}: ${native.name} does not apply to ${f.type}`);
  return entry[1](native.args.map((x) => (x.value.kind === 'number' ? x.value.value : '?')));
}

/** The default as pg_get_expr() prints it, or null when Prisma sets none in the database. */
function columnDefault(f: Field, table: string, column: string, enums: Map<string, Enum>, where: string): string | null {
  const d = find(f.attributes, '@default');
  if (!d) return null;
  const v = arg(d, 'value', 0);
  if (!v) throw new Error(`${where}: @default without a value`);
  const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const e = enums.get(f.type);
  if (v.kind === 'ident' && v.args) {
    if (v.name === 'autoincrement') return `nextval('${table}_${column}_seq'::regclass)`;
    if (v.name === 'now') return 'CURRENT_TIMESTAMP';
    if (['uuid', 'cuid', 'nanoid', 'ulid'].includes(v.name)) return null; // generated by the client
    if (v.name === 'dbgenerated') return str(argOf(v.args, 'value', 0), `${where} dbgenerated`) ?? null;
    throw new Error(`${where}: @default(${v.name}()) is not supported by this parser`);
  }
  if (e && v.kind === 'ident') {
    const value = e.values.find((x) => x.name === v.name);
    if (!value) throw new Error(`${where}: ${v.name} is not a value of ${e.name}`);
    return `${quote(dbName(value.name, value.attributes, '@map'))}::${dbName(e.name, e.attributes, '@@map')}`;
  }
  if (f.type === 'Boolean' && v.kind === 'ident' && (v.name === 'true' || v.name === 'false')) return v.name;
  if (['Int', 'BigInt', 'Float', 'Decimal'].includes(f.type) && v.kind === 'number') {
    const plain = !v.value.startsWith('-') && (v.value.includes('.') || Number(v.value) <= 2147483647);
    return plain ? v.value : `${quote(v.value)}::${columnType(f, enums, where).replace(/\(.*\)$/, '')}`;
  }
  if ((f.type === 'String' || f.type === 'Json') && v.kind === 'string') {
    return `${quote(v.value)}::${columnType(f, enums, where).replace(/\(.*\)$/, '')}`;
  }
  throw new Error(`${where}: this parser cannot predict the database default for @default on a ${f.type}`);
}
