import { PROBLEMS, ProblemCode } from '../errors/problem-codes';
import { translate } from './page-texts';

describe('problem titles on the error pages', () => {
  const codes = Object.keys(PROBLEMS) as ProblemCode[];

  it('words every problem title in the page texts, the English one as the problem document says it', () => {
    expect(codes.map((code) => translate('en', `problems:titles.${code}`))).toEqual(codes.map((code) => PROBLEMS[code].title));
  });

  it('has a Chinese title for every problem', () => {
    for (const code of codes) expect(translate('zh-CN', `problems:titles.${code}`)).toMatch(/\p{Script=Han}/u);
  });
});
