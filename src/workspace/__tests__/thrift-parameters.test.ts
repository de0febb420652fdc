import { describe, expect, it } from '@jest/globals';
import ttypes from '../thrift/gen/TCLIService_types.cjs';
import { bindParameters, numberMarkers } from '../thrift/parameters.js';

const p = (o: { name?: string; ordinal?: number; type?: string; value?: string | null }) =>
  new ttypes.TSparkParameter({
    name: o.name,
    ordinal: o.ordinal,
    type: o.type,
    value:
      o.value === undefined || o.value === null ? undefined : new ttypes.TSparkParameterValue({ stringValue: o.value }),
  });

describe('Thrift query parameters', () => {
  it('numbers ? markers outside strings, quoted names and comments', () => {
    expect(numberMarkers("SELECT ?, '?', \"?\", `a?`, 'it\\'s ?' -- ?\n, ? /* ? */ FROM t WHERE x=?::INT")).toBe(
      "SELECT :_1, '?', \"?\", `a?`, 'it\\'s ?' -- ?\n, :_2 /* ? */ FROM t WHERE x=:_3::INT",
    );
    expect(numberMarkers('SELECT 1 -- no end')).toBe('SELECT 1 -- no end');
  });

  it('binds named ones by name, ordinal ones by position (or their ordinal), NULL without a value', () => {
    expect(bindParameters('SELECT :a', [p({ name: 'a', type: 'INT', value: '1' })])).toEqual({
      sql: 'SELECT :a',
      parameters: [{ name: 'a', type: 'INT', value: '1' }],
    });
    expect(bindParameters('SELECT ?, ?', [p({ type: 'STRING', value: 'x' }), p({})])).toEqual({
      sql: 'SELECT :_1, :_2',
      parameters: [
        { name: '_1', type: 'STRING', value: 'x' },
        { name: '_2', type: undefined, value: null },
      ],
    });
    expect(bindParameters('SELECT ?, ?', [p({ ordinal: 2, value: 'b' }), p({ ordinal: 1, value: 'a' })])).toMatchObject(
      {
        parameters: [
          { name: '_2', value: 'b' },
          { name: '_1', value: 'a' },
        ],
      },
    );
    expect(bindParameters('SELECT 1', undefined)).toEqual({ sql: 'SELECT 1', parameters: [] });
  });

  it('refuses named and ordinal ones together, naming both kinds', () => {
    const bound = bindParameters('SELECT :a, ?', [p({ name: 'a', value: '1' }), p({ value: '2' })]);
    expect(bound).toEqual({
      error: expect.stringMatching(/^\[INVALID_PARAMETER_MARKER_VALUE\] Failed to bind .*Expected /),
    });
  });
});
