import { acceptedTypeOf, sanitiseFilename } from './attachment-inspector';

describe('sanitiseFilename', () => {
  it.each([
    ['../../etc/passwd.png', 'png', 'passwd.png'],
    ['C:\\Users\\x\\scan.pdf', 'pdf', 'scan.pdf'],
    ['report.png', 'pdf', 'report.pdf'],
    ['.htaccess', 'png', 'attachment.png'],
    ['..', 'png', 'attachment.png'],
    ['<script>alert(1)</script>.png', 'png', 'script_.png'],
    ['a<b>"c"|d?.png', 'png', 'a_b_c_d_.png'],
    ['résumé 2026.jpeg', 'jpg', 'résumé 2026.jpg'],
    [undefined, 'png', 'attachment.png'],
  ])('%s → %s', (name, extension, expected) => {
    expect(sanitiseFilename(name, extension)).toBe(expected);
  });

  it('keeps names within 100 characters', () => {
    expect(sanitiseFilename(`${'a'.repeat(300)}.png`, 'png')).toHaveLength(100);
  });
});

describe('acceptedTypeOf', () => {
  it('judges by content: PNG, JPEG and PDF, nothing else', async () => {
    await expect(
      acceptedTypeOf(
        Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'),
      ),
    ).resolves.toEqual({
      type: 'image/png',
      extension: 'png',
    });
    await expect(acceptedTypeOf(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46, 0, 1]))).resolves.toEqual({
      type: 'image/jpeg',
      extension: 'jpg',
    });
    await expect(acceptedTypeOf(Buffer.from('%PDF-1.7\n%%EOF\n'))).resolves.toEqual({ type: 'application/pdf', extension: 'pdf' });
    await expect(acceptedTypeOf(Buffer.from('<html><script>alert(1)</script></html>'))).resolves.toBeUndefined();
    await expect(acceptedTypeOf(Buffer.from('GIF89a\x01\x00\x01\x00'))).resolves.toBeUndefined();
  });
});
