import { describe, expect, it } from '@jest/globals';
import ttypes from '../thrift/gen/TCLIService_types.cjs';
import { tokenize } from '../sql/tokens.js';
import { bindParameters } from '../thrift/parameters.js';

const p = (o: { name?: string; ordinal?: number; type?: string; value?: string | null }) =>
  new ttypes.TSparkParameter({
    name: o.name,
    ordinal: o.ordinal,
    type: o.type,
    value:
      o.value === undefined || o.value === null ? undefined : new ttypes.TSparkParameterValue({ stringValue: o.value }),
  });

describe('Thrift query parameters', () => {
  it('reads ? markers as parameters _1, _2… when they are ordinal, outside strings, quoted names and comments', () => {
    const sql = "SELECT ?, '?', \"?\", `a?`, 'it\\'s ?' -- ?\n, ? /* ? */ FROM t WHERE x=?::INT";
    expect(tokenize(sql, true).filter((t) => t.t === 'param')).toEqual([
      { t: 'param', v: '_1' },
      { t: 'param', v: '_2' },
      { t: 'param', v: '_3' },
    ]);
    // Without ordinal parameters (the REST API, named only) a ? is still refused.
    expect(() => tokenize('SELECT ?')).toThrow(/\?/);
  });

  it('binds named ones by name, ordinal ones by position (or their ordinal), NULL without a value', () => {
    expect(bindParameters([p({ name: 'a', type: 'INT', value: '1' })])).toEqual({
      parameters: [{ name: 'a', type: 'INT', value: '1' }],
      ordinal: false,
    });
    expect(bindParameters([p({ type: 'STRING', value: 'x' }), p({})])).toEqual({
      ordinal: true,
      parameters: [
        { name: '_1', type: 'STRING', value: 'x' },
        { name: '_2', type: undefined, value: null },
      ],
    });
    expect(bindParameters([p({ ordinal: 2, value: 'b' }), p({ ordinal: 1, value: 'a' })])).toMatchObject({
      parameters: [
        { name: '_2', value: 'b' },
        { name: '_1', value: 'a' },
      ],
    });
    expect(bindParameters(undefined)).toEqual({ parameters: [], ordinal: false });
  });

  it('refuses named and ordinal ones together, naming both kinds', () => {
    const bound = bindParameters([p({ name: 'a', value: '1' }), p({ value: '2' })]);
    expect(bound).toEqual({
      error: expect.stringMatching(
        /^\[INVALID_QUERY_MIXED_QUERY_PARAMETERS\] Failed to bind .*Expected .*SQLSTATE: 42613$/,
      ),
    });
  });
});
