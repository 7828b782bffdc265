/** Paths whose last segment is a bearer secret (revert, objection and reset links). */
const TOKEN_IN_PATH = /\/(security-reverts|appeal-objections|password-resets|reset-password|secure\/revert|appeal\/object)\/[^/?#]+/g;

/** Removes secrets from a URL before it is logged: tokens in paths and any sensitive query parameter. */
export function redactUrl(url: string): string {
  const [path, query] = url.split('?', 2);
  const safePath = path.replace(TOKEN_IN_PATH, '/$1/[redacted]');
  if (!query) return safePath;
  const params = new URLSearchParams(query);
  for (const key of [...params.keys()]) {
    if (/token|code|password|secret/i.test(key)) params.set(key, '[redacted]');
  }
  return `${safePath}?${params.toString()}`;
}
