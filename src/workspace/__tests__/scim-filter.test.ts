import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ScimError } from '../errors.js';
import { parseFilter, scimIdOf } from '../rest/identity.js';

describe('SCIM filter', () => {
  it('binds and tighter than or, reads quoted values with escapes, booleans, numbers and pr', () => {
    expect(parseFilter('userName eq "a@b.com" and active eq true or displayName co "x\\"y" or id pr')).toEqual([
      [
        { attr: 'userName', op: 'eq', value: 'a@b.com' },
        { attr: 'active', op: 'eq', value: true },
      ],
      [{ attr: 'displayName', op: 'co', value: 'x"y' }],
      [{ attr: 'id', op: 'pr', value: undefined }],
    ]);
    expect(parseFilter('ID EQ 42')).toEqual([[{ attr: 'ID', op: 'eq', value: '42' }]]);
  });

  it.each([
    ['userName likes "x"', 'unknown operator "likes"'],
    ['userName eq', 'needs a quoted value'],
    ['userName eq "a" and', 'ends with and / or'],
    ['userName eq "a" xor b pr', 'expected and / or'],
    ['(userName eq "a")', 'expected an attribute'],
  ])('refuses %s with a 400 invalidFilter naming the problem', (text, why) => {
    let err: unknown;
    try {
      parseFilter(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScimError);
    expect((err as ScimError).toBody()).toMatchObject({
      status: '400',
      scimType: 'invalidFilter',
      detail: expect.stringContaining(why),
    });
  });

  it('never throws anything but a ScimError, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        try {
          parseFilter(text);
        } catch (e) {
          if (!(e instanceof ScimError)) throw e;
        }
      }),
    );
  });

  it('gives service principals stable numeric ids of at most 16 digits', () => {
    const id = scimIdOf('sp', '2f1c0d4e-8a55-4c39-9b2a-1f0e6f3c1a77');
    expect(id).toMatch(/^\d{1,16}$/);
    expect(scimIdOf('sp', '2f1c0d4e-8a55-4c39-9b2a-1f0e6f3c1a77')).toBe(id);
    expect(Number(id)).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
  });
});
