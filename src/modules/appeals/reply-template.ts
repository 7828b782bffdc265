import Handlebars from 'handlebars';

/** The variables a canned reply may use, and nothing else. */
export const REPLY_VARIABLES = ['reference', 'fullName', 'agentName'] as const;
export type ReplyVariable = (typeof REPLY_VARIABLES)[number];
export type ReplyValues = Record<ReplyVariable, string>;

const TOKEN = /\{\{+\s*([^}]*?)\s*\}+\}/g;

/** An engine of its own with no helpers and no partials: a reply can substitute variables and do nothing else. */
const engine = Handlebars.create();

/**
 * What is wrong with a reply's body, or undefined when nothing is: every `{{...}}` must be one of
 * the variables, written `{{name}}` (no helpers, blocks, paths, comments or triple braces).
 */
export function replyBodyProblem(body: string): string | undefined {
  const allowed = REPLY_VARIABLES.map((name) => `{{${name}}}`).join(', ');
  for (const match of body.matchAll(TOKEN)) {
    const [token, name] = match;
    if (!(REPLY_VARIABLES as readonly string[]).includes(name) || token !== `{{${name}}}`)
      return `${token} is not a variable a reply may use: use ${allowed}.`;
  }
  if (/\{\{|\}\}/.test(body.replace(TOKEN, ''))) return `Unmatched braces: write a variable as ${allowed}.`;
  return undefined;
}

/**
 * The reply's text for one appeal, strictly: a variable without a value is an error, never an
 * empty string. The text is plain (the pages escape it where they show it, the email templates
 * where they send it); the values are never read as template syntax.
 */
export function renderReply(body: string, values: ReplyValues): string {
  const problem = replyBodyProblem(body);
  if (problem) throw new Error(problem);
  const template = engine.compile(body, { strict: true, noEscape: true, knownHelpersOnly: true, knownHelpers: {} });
  return template({ ...values }, { allowProtoPropertiesByDefault: false, allowProtoMethodsByDefault: false });
}
