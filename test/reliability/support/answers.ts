/** One HTTP answer as the drills keep it: status, content type and the raw body. */
export interface Answer {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

/** Traces of internals that must never reach a client: stack frames, driver and library names, SQL. */
const LEAKS = [
  /\\n\s+at /,
  /"stack"/i,
  /\.(ts|js):\d+/,
  /node_modules/,
  /QueryFailedError|TypeORM|EntityNotFound|ECONNREFUSED|ECONNRESET|ioredis|ReplyError/i,
  /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/,
  /\bat (async )?\w+ \(/,
];

/**
 * Why `answer` is not a well-formed problem document (RFC 9457 as docs/api.md has it: the media type
 * and `type`, `title`, `status`, `code`, the body's status equal to the HTTP one, no internals);
 * undefined when it is one. `code`, when given, must match.
 */
export function problemFault(answer: Answer, code?: string): string | undefined {
  if (!/^application\/problem\+json/.test(answer.contentType))
    return `content type ${answer.contentType || '(none)'}: ${answer.body.slice(0, 200)}`;
  let problem: Record<string, unknown>;
  try {
    problem = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    return `body is not JSON: ${answer.body.slice(0, 200)}`;
  }
  const leak = internalsIn(problem);
  if (leak) return `leaks internals (${leak}): ${answer.body.slice(0, 300)}`;
  for (const field of ['type', 'title', 'code'] as const) {
    if (typeof problem[field] !== 'string' || !problem[field]) return `no ${field}: ${answer.body.slice(0, 300)}`;
  }
  if (problem.status !== answer.status) return `status ${String(problem.status)} in the body, ${answer.status} on the wire`;
  if (code && problem.code !== code) return `code ${String(problem.code)}, expected ${code}`;
  return undefined;
}

/**
 * The first trace of internals in a problem document. `instance` (the request's path) and the
 * field names of `errors` echo what the client sent, fuzzed input included: only the messages
 * of `errors` are looked at.
 */
function internalsIn(problem: Record<string, unknown>): RegExp | undefined {
  if ('stack' in problem) return /"stack"/;
  const { instance: _instance, errors, ...rest } = problem;
  const messages = Array.isArray(errors) ? errors.map((error) => (error as { message?: unknown }).message) : errors;
  const text = JSON.stringify({ ...rest, messages });
  return LEAKS.find((pattern) => pattern.test(text));
}

/** Sends a request with fetch and keeps what the drills look at; a network failure is status 0. */
export async function send(url: string, init: RequestInit): Promise<Answer> {
  try {
    const response = await fetch(url, init);
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body: await response.text() };
  } catch (error) {
    return { status: 0, contentType: '', body: String((error as Error).cause ?? error) };
  }
}
