import { shapeErrors } from './input-shape';

describe(shapeErrors.name, () => {
  const nest = (levels: number): unknown => (levels === 0 ? 'leaf' : { a: nest(levels - 1) });
  const tooDeep = [{ field: '', message: 'is nested deeper than 3 levels' }];

  it('counts the top object as level 1, arrays alike', () => {
    expect(shapeErrors(nest(3), 3)).toEqual([]);
    expect(shapeErrors(nest(4), 3)).toEqual(tooDeep);
    expect(shapeErrors([[['x']]], 3)).toEqual([]);
    expect(shapeErrors([[[['x']]]], 3)).toEqual(tooDeep);
    expect(shapeErrors('text', 0)).toEqual([]);
    expect(shapeErrors(undefined, 1)).toEqual([]);
  });

  it('walks 20,000 levels without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`) as unknown;
    expect(shapeErrors(deep, 16)).toEqual([{ field: '', message: 'is nested deeper than 16 levels' }]);
  });

  it('names each string or key holding a NUL', () => {
    expect(shapeErrors({ evidence: { fullName: 'Ada\u0000', resourceIds: ['i-1', '\u0000'] }, 'k\u0000': 1 }, 16)).toEqual(
      expect.arrayContaining([
        { field: 'evidence.fullName', message: 'must not contain a NUL character' },
        { field: 'evidence.resourceIds.1', message: 'must not contain a NUL character' },
        { field: 'k\u0000', message: 'must not contain a NUL character' },
      ]),
    );
    expect(shapeErrors({ body: 'fine \u0001 text' }, 16)).toEqual([]);
  });

  it('names strings with a lone surrogate, and lets pairs through', () => {
    expect(shapeErrors({ email: 'a\ud800@example.com', tail: 'x\udc00' }, 16)).toEqual(
      expect.arrayContaining([
        { field: 'email', message: 'must be well-formed Unicode text' },
        { field: 'tail', message: 'must be well-formed Unicode text' },
      ]),
    );
    expect(shapeErrors({ name: 'Ada 😀 \ud83d\ude00' }, 16)).toEqual([]);
  });

  it('names each key that every object answers to, at any depth', () => {
    const body = JSON.parse('{"login":"a","__proto__":{"x":1},"evidence":{"constructor":{"prototype":{}},"toString":"y"}}') as unknown;
    expect(shapeErrors(body, 16)).toEqual(
      expect.arrayContaining([
        { field: '__proto__', message: 'is not an accepted property name' },
        { field: 'evidence.constructor', message: 'is not an accepted property name' },
        { field: 'evidence.toString', message: 'is not an accepted property name' },
      ]),
    );
    expect(shapeErrors({ prototype: 1 }, 16)).toEqual([{ field: 'prototype', message: 'is not an accepted property name' }]);
    expect(shapeErrors({ protoType: 1, constructorName: 'x' }, 16)).toEqual([]);
  });
});
