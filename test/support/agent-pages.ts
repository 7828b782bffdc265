import supertest from 'supertest';
import { pageToken } from './agents';

/** A POST form of a back-office page, as a browser would read it. */
export interface PageForm {
  readonly action: string;
  /** The submit button's text. */
  readonly button: string;
  readonly version: string | undefined;
  readonly hasCsrf: boolean;
  /** Names of its text areas. */
  readonly fields: string[];
}

export function postForms(html: string): PageForm[] {
  return [...html.matchAll(/<form method="post" action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].map(([, action, inner]) => ({
    action,
    button: /<button type="submit"[^>]*>([^<]*)<\/button>/.exec(inner)?.[1] ?? '',
    version: /name="version" value="(\d+)"/.exec(inner)?.[1],
    hasCsrf: /name="_csrf" value="[^"]+"/.test(inner),
    fields: [...inner.matchAll(/<textarea[^>]*\sname="([^"]+)"/g)].map((match) => match[1]),
  }));
}

/** The action forms of an appeal's page (its Reveal form and the thumbnails' Show forms left out). */
export function appealActionForms(html: string, reference: string): PageForm[] {
  return postForms(html).filter(
    (form) =>
      form.action.startsWith(`/agent/appeals/${reference}/`) && !form.action.endsWith('/reveal') && !form.action.includes('/attachments/'),
  );
}

/** Posts a back-office form as a browser would: the page's CSRF token, form encoding, asking for HTML. */
export async function postForm(
  client: supertest.Agent,
  path: string,
  fields: Record<string, string | number> = {},
): Promise<supertest.Response> {
  const csrf = await pageToken(client, '/agent/appeals');
  return client
    .post(path)
    .type('form')
    .set('Accept', 'text/html')
    .send({ _csrf: csrf, ...fields });
}

/** The version an appeal's page carries in its forms. */
export async function pageVersion(client: supertest.Agent, reference: string): Promise<number> {
  const page = await client.get(`/agent/appeals/${reference}`).expect(200);
  const version = /name="version" value="(\d+)"/.exec(page.text)?.[1];
  if (!version) throw new Error(`the page of ${reference} has no action form`);
  return Number(version);
}

/** The flash message a page shows, if any. */
export function flashOf(html: string): string | undefined {
  return /<div class="alert alert-\w+" role="(?:status|alert)">([^<]*)<\/div>/.exec(html)?.[1];
}
