/** An event's data as one short line: `from: submitted · to: in_review · version: 3` (the audit page and an appeal's history show it so). */
export function auditDetails(data: Record<string, unknown>): string {
  return Object.entries(data)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}
