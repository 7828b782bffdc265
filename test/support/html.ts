/** Reading server-rendered pages in tests: what a browser would read from their HTML. */

/** An attribute value or a text as the browser reads it (Handlebars escapes `=`, `&`, quotes...). */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot);/gi, (_, entity: string) => {
    if (entity[0] === '#')
      return String.fromCodePoint(entity[1].toLowerCase() === 'x' ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
    return { amp: '&', lt: '<', gt: '>', quot: '"' }[entity.toLowerCase()]!;
  });
}

/** The `_csrf` value of the first form in a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('the page has no CSRF field');
  return match[1];
}

/** The message shown beside the field `id` (its `<id>-error` paragraph); empty when there is none. */
export function fieldError(html: string, id: string): string {
  return unescapeHtml(new RegExp(`<p class="field-error" id="${id}-error">([^<]*)</p>`).exec(html)?.[1] ?? '');
}
