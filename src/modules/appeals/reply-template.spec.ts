import { renderReply, replyBodyProblem } from './reply-template';

const values = { reference: 'AP-ABCDEFGHIJ', fullName: 'Lin <b>Wei</b> {{agentName}}', agentName: 'Ana' };

describe('replyBodyProblem', () => {
  it('accepts the variables written plainly', () => {
    expect(replyBodyProblem('Dear {{fullName}}, about {{reference}}. {{agentName}}')).toBeUndefined();
    expect(replyBodyProblem('No variables at all.')).toBeUndefined();
  });

  it.each([
    ['{{contactEmail}}', '{{contactEmail}} is not a variable'],
    ['{{ fullName }}', '{{ fullName }} is not a variable'],
    ['{{{fullName}}}', '{{{fullName}}} is not a variable'],
    ['{{#each x}}{{/each}}', '{{#each x}} is not a variable'],
    ['{{> partial}}', '{{> partial}} is not a variable'],
    ['{{fullName.constructor}}', '{{fullName.constructor}} is not a variable'],
    ['{{lookup this "x"}}', 'is not a variable'],
    ['hello {{fullName', 'Unmatched braces'],
  ])('refuses %s', (body, problem) => {
    expect(replyBodyProblem(body)).toContain(problem);
  });
});

describe('renderReply', () => {
  it('substitutes the values as text, never as template syntax', () => {
    expect(renderReply('Dear {{fullName}} ({{reference}}), — {{agentName}}', values)).toBe(
      'Dear Lin <b>Wei</b> {{agentName}} (AP-ABCDEFGHIJ), — Ana',
    );
  });

  it('is strict: a body with an unknown variable does not render', () => {
    expect(() => renderReply('Hi {{nickname}}', values)).toThrow(/not a variable/);
  });
});
