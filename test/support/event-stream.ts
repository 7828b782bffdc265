import { csrfOf } from './html';

/** One Server-Sent Event as a browser's EventSource would hand it over. */
export interface StreamEvent {
  readonly id?: string;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

export interface OpenStream {
  readonly status: number;
  /** The stream's Cache-Control header. */
  readonly cacheControl: string | null;
  readonly events: StreamEvent[];
  /** Everything received, comments included. */
  raw: string;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

/** The back-office session cookies of `who`, signed in through the sign-in form at `baseUrl`. */
export async function agentCookies(baseUrl: string, who: { email: string; password: string }): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value) jar.set(name, value);
      else jar.delete(name);
    }
  };
  const header = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const form = await fetch(`${baseUrl}/agent/login`);
  keep(form);
  const body = new URLSearchParams({ _csrf: csrfOf(await form.text()), email: who.email, password: who.password });
  const signedIn = await fetch(`${baseUrl}/agent/login`, {
    method: 'POST',
    headers: { cookie: header(), 'content-type': 'application/x-www-form-urlencoded' },
    body,
    redirect: 'manual',
  });
  if (signedIn.status !== 303) throw new Error(`sign-in answered ${signedIn.status}`);
  keep(signedIn);
  return header();
}

/** Opens `/agent/events` (with `query`) and collects its events as they arrive. */
export async function openStream(
  baseUrl: string,
  cookies: string,
  options: { query?: string; lastEventId?: string } = {},
): Promise<OpenStream> {
  const abort = new AbortController();
  const response = await fetch(`${baseUrl}/agent/events${options.query ? `?${options.query}` : ''}`, {
    headers: { cookie: cookies, accept: 'text/event-stream', ...(options.lastEventId ? { 'Last-Event-ID': options.lastEventId } : {}) },
    redirect: 'manual',
    signal: abort.signal,
  });
  const stream: OpenStream = {
    status: response.status,
    cacheControl: response.headers.get('cache-control'),
    events: [],
    raw: '',
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  if (response.status !== 200 || !response.body) return stream;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        const text = decoder.decode(value, { stream: true });
        stream.raw += text;
        buffer += text;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            if (!line || line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
          }
          if (fields.has('data'))
            stream.events.push({ id: fields.get('id'), event: fields.get('event') ?? 'message', data: JSON.parse(fields.get('data')!) });
        }
      }
    } catch {
      // aborted by close()
    }
  })();
  return Object.assign(stream, { ended });
}
