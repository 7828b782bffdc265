/**
 * The constraint (or unique index) a PostgreSQL unique violation (SQLSTATE 23505) names, or
 * undefined for any other error. Repositories turn it into the domain's conflict error.
 */
export function uniqueViolation(error: unknown): string | undefined {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === '23505' && typeof constraint === 'string' ? constraint : undefined;
}
