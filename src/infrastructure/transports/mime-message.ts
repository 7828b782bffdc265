import { randomBytes } from 'node:crypto';
import { OutgoingEmail } from './email-transport';

/** A plain address (`someone@example.com`): printable ASCII, no spaces, brackets or quotes. */
const PLAIN_ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9.-]+$/;
/** A From of the form `Display Name <address>` or a plain address, all printable ASCII. */
const FROM = /^(?:([ -;=?-~]*?)\s*<([^<>\s]+)>|([^<>\s]+))$/;
const PRINTABLE = /^[ -~]*$/;
/** Bytes of UTF-8 per encoded word: 42 bytes are 56 characters of base64, 68 with `=?UTF-8?B?` and `?=` (77 after `Subject: `). */
const WORD_BYTES = 42;
const BASE64_LINE = 76;
/**
 * The parts' boundary. Both parts are base64, whose lines never hold `_`, so no body can contain
 * it: one random boundary per process serves every message (drawing one per message cost more
 * than composing it).
 */
const BOUNDARY = `--_ac_${randomBytes(12).toString('hex')}_`;

/** The sender as a header and as the SMTP envelope's address, or undefined when it is not plain ASCII. */
export function parseSender(from: string): { readonly header: string; readonly address: string } | undefined {
  const match = FROM.exec(from.trim());
  const address = match?.[2] ?? match?.[3];
  if (!match || !address || !PLAIN_ADDRESS.test(address)) return undefined;
  return { header: from.trim(), address };
}

/**
 * The whole RFC 5322 message of an email, headers and a multipart/alternative body of a plain
 * text and an HTML part (UTF-8, base64), as one string with CRLF line ends, ready for the DATA
 * phase; undefined when the recipient is not a plain ASCII address (the caller then lets
 * nodemailer compose the message, punycode and all). The same headers and parts that nodemailer
 * composed for us, without building a MIME tree and streaming it chunk by chunk for every message.
 */
export function composeMessage(
  sender: { readonly header: string },
  email: OutgoingEmail,
  date: Date = new Date(),
  boundary = BOUNDARY,
): string | undefined {
  if (!PLAIN_ADDRESS.test(email.to)) return undefined;
  const head = [
    `From: ${sender.header}`,
    `To: ${email.to}`,
    `Subject: ${headerText(email.subject)}`,
    `Message-ID: <${email.id}@account-center>`,
    `X-Notification-Id: ${headerText(email.id)}`,
    `X-Template: ${headerText(email.template)}`,
    `Date: ${date.toUTCString().replace(/GMT$/, '+0000')}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/alternative;\r\n boundary="${boundary}"`,
  ];
  return (
    `${head.join('\r\n')}\r\n\r\n` +
    `--${boundary}\r\n${part('text/plain', email.text)}` +
    `--${boundary}\r\n${part('text/html', email.html)}` +
    `--${boundary}--\r\n`
  );
}

function part(type: string, body: string): string {
  return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(Buffer.from(body, 'utf8'))}`;
}

/** base64 in lines of 76 characters, each ended by CRLF. */
function base64Lines(bytes: Buffer): string {
  const encoded = bytes.toString('base64');
  let out = '';
  for (let at = 0; at < encoded.length; at += BASE64_LINE) out += `${encoded.slice(at, at + BASE64_LINE)}\r\n`;
  return out;
}

/**
 * A header's value: as it is when it is short printable ASCII, else RFC 2047 encoded words
 * (UTF-8, base64) of at most 42 bytes each, split between characters, on folded lines. Line
 * breaks in the value become spaces: a header value never starts a new header.
 */
export function headerText(value: string): string {
  const flat = value.replace(/[\r\n]+/g, ' ');
  if (PRINTABLE.test(flat) && flat.length <= 900) return flat;
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const character of flat) {
    const size = Buffer.byteLength(character, 'utf8');
    if (bytes + size > WORD_BYTES && chunk) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += character;
    bytes += size;
  }
  if (chunk) words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`).join('\r\n ');
}
