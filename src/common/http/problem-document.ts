import { PROBLEMS, ProblemCode, problemTypeUri } from '../errors/problem-codes';

/** An RFC 9457 problem document; extra members sit at the top level. */
export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  code: ProblemCode;
  detail: string;
  instance?: string;
  [extra: string]: unknown;
}

export function problemDocument(
  code: ProblemCode,
  detail: string,
  extras: Readonly<Record<string, unknown>> = {},
  instance?: string,
): ProblemDocument {
  const { status, title } = PROBLEMS[code];
  return { ...extras, type: problemTypeUri(code), title, status, code, detail, ...(instance ? { instance } : {}) };
}
