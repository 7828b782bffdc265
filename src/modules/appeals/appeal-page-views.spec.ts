import { ValidationFailedError } from '../../common/errors/domain-error';
import { asFieldProblem } from './appeal-page-views';

describe('asFieldProblem: the appeal form words the API validation messages for people', () => {
  const refused = new ValidationFailedError([
    { field: 'evidence.fullName', message: 'must be shorter than or equal to 200 characters' },
    { field: 'evidence.resourceIds', message: 'must contain no more than 20 elements' },
    { field: 'evidence.usualRegion', message: 'must be longer than or equal to 2 characters' },
    { field: 'evidence.lastPaymentAmount', message: 'must be a decimal amount such as 129.90' },
  ]);

  it('says a length or size limit in Chinese on a Chinese page, with its number', () => {
    expect(asFieldProblem(refused, 'contactVerification.code', 'zh-CN')?.errors).toEqual({
      'evidence-fullName': '最多 200 个字符。',
      'evidence-resourceIds': '最多 20 项。',
      'evidence-usualRegion': '至少 2 个字符。',
      'evidence-lastPaymentAmount': '请输入金额，例如 129.90。',
    });
  });

  it('and in plain English on an English page', () => {
    expect(asFieldProblem(refused, 'contactVerification.code', 'en')?.errors).toEqual({
      'evidence-fullName': 'Use at most 200 characters.',
      'evidence-resourceIds': 'Give at most 20 items.',
      'evidence-usualRegion': 'Use at least 2 characters.',
      'evidence-lastPaymentAmount': 'Enter an amount such as 129.90.',
    });
  });
});
