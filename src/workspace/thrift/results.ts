/**
 * Result sets as HiveServer2 sends them: a TTableSchema and column-based TRowSets (one typed
 * TColumn per column, with a null bitmap), the format the Databricks drivers read when the server
 * announces a Hive protocol version (no Arrow, no cloud fetch).
 */
import thrift from 'thrift';
import ttypes from './gen/TCLIService_types.cjs';
import { baseType, type Cell, type ResultSet } from './metadata.js';

const T = ttypes.TTypeId;

const TYPE_IDS: Record<string, number> = {
  BOOLEAN: T.BOOLEAN_TYPE,
  TINYINT: T.TINYINT_TYPE,
  BYTE: T.TINYINT_TYPE,
  SMALLINT: T.SMALLINT_TYPE,
  SHORT: T.SMALLINT_TYPE,
  INT: T.INT_TYPE,
  INTEGER: T.INT_TYPE,
  BIGINT: T.BIGINT_TYPE,
  LONG: T.BIGINT_TYPE,
  FLOAT: T.FLOAT_TYPE,
  REAL: T.FLOAT_TYPE,
  DOUBLE: T.DOUBLE_TYPE,
  STRING: T.STRING_TYPE,
  VARCHAR: T.VARCHAR_TYPE,
  CHAR: T.CHAR_TYPE,
  TIMESTAMP: T.TIMESTAMP_TYPE,
  TIMESTAMP_NTZ: T.TIMESTAMP_TYPE,
  DATE: T.DATE_TYPE,
  BINARY: T.BINARY_TYPE,
  DECIMAL: T.DECIMAL_TYPE,
  DEC: T.DECIMAL_TYPE,
  NUMERIC: T.DECIMAL_TYPE,
  ARRAY: T.ARRAY_TYPE,
  MAP: T.MAP_TYPE,
  STRUCT: T.STRUCT_TYPE,
  VOID: T.NULL_TYPE,
  NULL: T.NULL_TYPE,
  INTERVAL: T.INTERVAL_DAY_TIME_TYPE,
};

export const typeIdOf = (type: string): number => TYPE_IDS[baseType(type)] ?? T.STRING_TYPE;

export function tableSchema(rs: ResultSet): InstanceType<typeof ttypes.TTableSchema> {
  return new ttypes.TTableSchema({
    columns: rs.columns.map((c, i) => {
      const dec = /^DECIMAL\((\d+)\s*,\s*(\d+)\)/i.exec(c.type);
      const qualifiers = dec
        ? new ttypes.TTypeQualifiers({
            qualifiers: {
              precision: new ttypes.TTypeQualifierValue({ i32Value: Number(dec[1]) }),
              scale: new ttypes.TTypeQualifierValue({ i32Value: Number(dec[2]) }),
            },
          })
        : undefined;
      const entry = new ttypes.TTypeEntry({
        primitiveEntry: new ttypes.TPrimitiveTypeEntry({ type: typeIdOf(c.type), typeQualifiers: qualifiers }),
      });
      return new ttypes.TColumnDesc({
        columnName: c.name,
        typeDesc: new ttypes.TTypeDesc({ types: [entry] }),
        position: i + 1,
        comment: '',
      });
    }),
  });
}

/** Bit i set: row i is NULL (least significant bit first), as HiveServer2 encodes it. */
function nullBitmap(values: readonly Cell[]): Buffer {
  const bits = Buffer.alloc(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null || v === undefined) bits[i >> 3]! |= 1 << (i & 7);
  });
  return bits;
}

function int64(v: Cell): InstanceType<typeof thrift.Int64> {
  const big =
    typeof v === 'number'
      ? BigInt(Math.trunc(v))
      : BigInt(
          String(v)
            .trim()
            .replace(/\.\d*$/, ''),
        );
  return new thrift.Int64(BigInt.asUintN(64, big).toString(16).padStart(16, '0'));
}

const num = (v: Cell) => (typeof v === 'number' ? v : Number(v));
const bool = (v: Cell) => (typeof v === 'boolean' ? v : String(v).toLowerCase() === 'true');
const str = (v: Cell) => (typeof v === 'string' ? v : String(v));

function column(type: string, values: readonly Cell[]): InstanceType<typeof ttypes.TColumn> {
  const nulls = nullBitmap(values);
  const fill = <V>(f: (v: Cell) => V, zero: V) => values.map((v) => (v === null || v === undefined ? zero : f(v)));
  switch (typeIdOf(type)) {
    case T.BOOLEAN_TYPE:
      return new ttypes.TColumn({ boolVal: new ttypes.TBoolColumn({ values: fill(bool, false), nulls }) });
    case T.TINYINT_TYPE:
      return new ttypes.TColumn({ byteVal: new ttypes.TByteColumn({ values: fill(num, 0), nulls }) });
    case T.SMALLINT_TYPE:
      return new ttypes.TColumn({ i16Val: new ttypes.TI16Column({ values: fill(num, 0), nulls }) });
    case T.INT_TYPE:
      return new ttypes.TColumn({ i32Val: new ttypes.TI32Column({ values: fill(num, 0), nulls }) });
    case T.BIGINT_TYPE:
      return new ttypes.TColumn({ i64Val: new ttypes.TI64Column({ values: fill(int64, int64(0)), nulls }) });
    case T.FLOAT_TYPE:
    case T.DOUBLE_TYPE:
      return new ttypes.TColumn({ doubleVal: new ttypes.TDoubleColumn({ values: fill(num, 0), nulls }) });
    case T.BINARY_TYPE:
      return new ttypes.TColumn({
        binaryVal: new ttypes.TBinaryColumn({ values: fill((v) => Buffer.from(str(v)), Buffer.alloc(0)), nulls }),
      });
    default:
      return new ttypes.TColumn({ stringVal: new ttypes.TStringColumn({ values: fill(str, ''), nulls }) });
  }
}

/** Rows [offset, offset + count) of a result set, column-based. */
export function rowSet(rs: ResultSet, offset: number, count: number): InstanceType<typeof ttypes.TRowSet> {
  const rows = rs.rows.slice(offset, offset + count);
  return new ttypes.TRowSet({
    startRowOffset: new thrift.Int64(offset),
    rows: [],
    columns: rs.columns.map((c, i) =>
      column(
        c.type,
        rows.map((r) => r[i] ?? null),
      ),
    ),
    columnCount: rs.columns.length,
  });
}
