import { request as httpRequest } from 'node:http';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/**
 * The appeal pages' uploads (`/appeal/status/attachments`, `/appeal/uploads`) read the whole
 * multipart body, up to 10 MB, before the appeal's cookie was checked; the JSON API refuses a
 * wrong token before reading a byte. Now the pages do the same: a request whose cookie opens no
 * appeal is answered (303 to the status page, which asks for the credentials) while most of its
 * body has not even been sent.
 */
describe('Appeal page uploads check the credentials before reading the file', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ workers: false, listen: true });
  });
  afterAll(() => t.close());

  /** Sends the headers and the first 64 kB of a 10 MB upload, then waits for an answer without sending the rest. */
  async function answerBeforeTheBody(path: string, cookie?: string): Promise<{ status: number; location?: string }> {
    const { port } = new URL(t.baseUrl!);
    const boundary = 'uploadboundary0123456789';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\nnot-a-token\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`,
    );
    const total = head.length + 10 * 1_048_576;
    let answer: { status: number; location?: string } | undefined;
    const request = httpRequest({
      host: '127.0.0.1',
      port: Number(port),
      method: 'POST',
      path,
      headers: {
        'Content-Type': `multipart/form-data; boundary=${boundary}`,
        'Content-Length': String(total),
        Accept: 'text/html',
        ...(cookie ? { Cookie: cookie } : {}),
      },
    });
    request.on('response', (response) => {
      answer = { status: response.statusCode!, location: response.headers.location };
      response.resume();
    });
    request.on('error', () => undefined);
    request.write(head);
    request.write(Buffer.alloc(64 * 1024));
    try {
      return await waitFor(() => answer, { timeoutMs: 5_000, description: `an answer to ${path} before the body is sent` });
    } finally {
      request.destroy();
    }
  }

  it.each(['/appeal/status/attachments', '/appeal/uploads'])(
    'answers %s with a cookie that opens no appeal before reading the file',
    async (path) => {
      const wrong = `ac_appeal=AP-ABCDEFGH23.${'x'.repeat(43)}`;
      await expect(answerBeforeTheBody(path, wrong)).resolves.toEqual({ status: 303, location: '/appeal/status' });
      await expect(answerBeforeTheBody(path)).resolves.toEqual({ status: 303, location: '/appeal/status' });
    },
  );
});
