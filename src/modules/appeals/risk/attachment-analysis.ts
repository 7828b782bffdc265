import type * as Exifr from 'exifr';
import type * as PdfLib from 'pdf-lib';
import type Sharp from 'sharp';
import { AttachmentContentType } from '../entities/appeal-attachment.entity';
import { dctHash, HASH_INPUT_SIZE } from './perceptual-hash';

/**
 * sharp (with libvips), exifr and pdf-lib are loaded at the first upload analysed, not at start:
 * together they hold about 10 MB resident that a process which never sees an upload (an API
 * process behind a balancer, a CLI command) would carry for nothing.
 */
let libraries: { sharp: typeof Sharp; parseExif: typeof Exifr.parse; PDFDocument: typeof PdfLib.PDFDocument } | undefined;
function load(): NonNullable<typeof libraries> {
  if (!libraries) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
    const sharp = require('sharp') as typeof Sharp;
    // libvips shares libuv's thread pool with argon2: one thread for images keeps sign-ins going.
    sharp.concurrency(1);
    sharp.cache(false);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
    const { parse } = require('exifr') as typeof Exifr;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see above
    const { PDFDocument } = require('pdf-lib') as typeof PdfLib;
    libraries = { sharp, parseExif: parse, PDFDocument };
  }
  return libraries;
}

function sharp(...args: Parameters<typeof Sharp>): ReturnType<typeof Sharp> {
  return load().sharp(...args);
}

/** A decompression bomb is refused before it is decoded: 50 megapixels covers every phone camera. */
export const MAX_INPUT_PIXELS = 50_000_000;
/** Images smaller than this on either side, or of one colour, carry no perceptual hash. */
export const MIN_HASHED_SIDE = 32;
/** The largest side of a thumbnail on the appeal's page. */
export const PREVIEW_SIDE = 320;
/** EXIF dates carry no zone: a date later than the upload by more than the widest offset (UTC+14) is in the future everywhere. */
const EXIF_FUTURE_SLACK_MS = 14 * 3_600_000;

/**
 * Editing software a file's metadata may name (EXIF Software, XMP CreatorTool and history, a PDF's
 * producer or creator). A camera's or phone's firmware version never matches: only these names do.
 */
export const EDITORS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  ['Photoshop', /photoshop/],
  ['GIMP', /\bgimp\b/],
  ['Lightroom', /lightroom/],
  ['Affinity', /\baffinity\b/],
  ['Pixelmator', /pixelmator/],
  ['Canva', /\bcanva\b/],
  ['Snapseed', /snapseed/],
  ['PicsArt', /picsart/],
  ['Meitu', /\bmeitu|xiuxiu|美图/],
  ['Photopea', /photopea/],
  ['Paint.NET', /paint\.net/],
  ['Fotor', /\bfotor\b/],
  ['PhotoScape', /photoscape/],
  ['Krita', /\bkrita\b/],
  ['Facetune', /facetune/],
  ['AirBrush', /\bairbrush\b/],
  ['BeautyPlus', /beautyplus/],
  ['PicMonkey', /picmonkey/],
  ['BeFunky', /befunky/],
  ['Polarr', /\bpolarr\b/],
  ['Luminar', /\bluminar\b/],
  ['Capture One', /capture one/],
  ['darktable', /darktable/],
  ['RawTherapee', /rawtherapee/],
  ['PaintShop Pro', /paintshop|paint shop pro/],
  ['CorelDRAW', /coreldraw/],
  ['Illustrator', /adobe illustrator/],
  ['InDesign', /indesign/],
  ['Inkscape', /inkscape/],
  ['PhotoDirector', /photodirector/],
].map(([name, pattern]) => ({ name: name as string, pattern: new RegExp((pattern as RegExp).source, 'i') }));

export interface AttachmentPreview {
  readonly width: number;
  readonly height: number;
  /** JPEG, blurred beyond reading. */
  readonly blurred: Buffer;
  /** JPEG, the same thumbnail sharp. */
  readonly clear: Buffer;
}

/** What the evidence signals and the appeal's page need of a file, found once at upload. */
export interface AttachmentAnalysis {
  /** Null for a PDF, an image under 32×32 or of one colour, or one that could not be read. */
  readonly perceptualHash: bigint | null;
  /** Why the file looks edited, in words; null when nothing says so. */
  readonly editEvidence: string | null;
  /** Thumbnails of an image; null for a PDF or an image that could not be read. */
  readonly preview: AttachmentPreview | null;
}

/** The editor a metadata value names, if any. */
export function editorNamed(value: string): string | undefined {
  return EDITORS.find((editor) => editor.pattern.test(value))?.name;
}

/** Reads a file already judged by its content to be a JPEG, PNG or PDF. Never throws: what cannot be read gives no finding. */
export async function analyseAttachment(content: Buffer, type: AttachmentContentType, uploadedAt: Date): Promise<AttachmentAnalysis> {
  if (type === 'application/pdf') return { perceptualHash: null, editEvidence: await pdfEditor(content), preview: null };
  const [perceptualHash, editEvidence, preview] = [
    await imageHash(content).catch(() => null),
    await imageEditEvidence(content, uploadedAt).catch(() => null),
    await imagePreview(content).catch(() => null),
  ];
  return { perceptualHash, editEvidence, preview };
}

function image(content: Buffer) {
  // Turned upright by its EXIF orientation, so that a rotated copy hashes like the original.
  return sharp(content, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'none' }).rotate();
}

/** The DCT hash of the image's 32×32 greyscale, or null when it is too small or of one colour. */
async function imageHash(content: Buffer): Promise<bigint | null> {
  const meta = await sharp(content, { limitInputPixels: MAX_INPUT_PIXELS }).metadata();
  if (!meta.width || !meta.height || meta.width < MIN_HASHED_SIDE || meta.height < MIN_HASHED_SIDE) return null;
  const { data } = await image(content)
    .flatten({ background: '#ffffff' })
    .resize(HASH_INPUT_SIZE, HASH_INPUT_SIZE, { fit: 'fill' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const channels = data.length / (HASH_INPUT_SIZE * HASH_INPUT_SIZE);
  const grey = new Float64Array(HASH_INPUT_SIZE * HASH_INPUT_SIZE);
  const low = [255, 255, 255];
  const high = [0, 0, 0];
  for (let i = 0; i < grey.length; i += 1) {
    const rgb =
      channels >= 3
        ? [data[i * channels], data[i * channels + 1], data[i * channels + 2]]
        : [data[i * channels], data[i * channels], data[i * channels]];
    rgb.forEach((value, c) => {
      low[c] = Math.min(low[c], value);
      high[c] = Math.max(high[c], value);
    });
    grey[i] = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
  }
  // One colour (a blank page, a filled square): averaged down to 32×32, compression noise is gone.
  if (high.every((value, c) => value - low[c] <= 2)) return null;
  return dctHash(grey);
}

const DATE_TAGS = ['DateTimeOriginal', 'CreateDate', 'ModifyDate'] as const;
const SOFTWARE_KEY = /^(software|processingsoftware|creatortool|softwareagent|producer|creator)$/i;

/** The editor named in the image's EXIF or XMP, or an EXIF date more than 14 hours after the upload. */
async function imageEditEvidence(content: Buffer, uploadedAt: Date): Promise<string | null> {
  const tags = (await load().parseExif(content, {
    tiff: true,
    exif: true,
    xmp: true,
    ifd1: false,
    gps: false,
    interop: false,
    iptc: false,
    icc: false,
    jfif: false,
    ihdr: false,
    reviveValues: false,
    mergeOutput: true,
  })) as Record<string, unknown> | undefined;
  if (!tags) return null;
  for (const [key, value] of softwareValues(tags)) {
    const editor = editorNamed(value);
    if (editor) return `its metadata (${key}) names ${editor}: “${value.slice(0, 100)}”`;
  }
  for (const tag of DATE_TAGS) {
    const value = tags[tag];
    const at = typeof value === 'string' ? exifDate(value) : undefined;
    if (at && at.getTime() > uploadedAt.getTime() + EXIF_FUTURE_SLACK_MS)
      return `its EXIF ${tag} ${value as string} is more than 14 hours after the upload (${uploadedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
  }
  return null;
}

/** Every string under a software-like key, however deep (XMP history entries nest). */
function softwareValues(tags: unknown, key = ''): [string, string][] {
  if (typeof tags === 'string') return SOFTWARE_KEY.test(key) ? [[key, tags]] : [];
  if (Array.isArray(tags)) return tags.flatMap((item) => softwareValues(item, key));
  if (tags && typeof tags === 'object' && !(tags instanceof Uint8Array))
    return Object.entries(tags as Record<string, unknown>).flatMap(([name, value]) => softwareValues(value, name));
  return [];
}

/** `YYYY:MM:DD HH:MM:SS` read as if it were UTC (it carries no zone). */
function exifDate(value: string): Date | undefined {
  const match = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** A PDF's producer or creator when it names an editor. */
async function pdfEditor(content: Buffer): Promise<string | null> {
  try {
    const pdf = await load().PDFDocument.load(content, { updateMetadata: false, ignoreEncryption: true, throwOnInvalidObject: false });
    for (const [key, value] of [
      ['producer', pdf.getProducer()],
      ['creator', pdf.getCreator()],
    ] as const) {
      const editor = value ? editorNamed(value) : undefined;
      if (editor && value) return `its ${key} names ${editor}: “${value.slice(0, 100)}”`;
    }
  } catch {
    // A PDF pdf-lib cannot read says nothing either way.
  }
  return null;
}

/** A thumbnail of at most 320 pixels a side, and the same blurred beyond reading. */
async function imagePreview(content: Buffer): Promise<AttachmentPreview> {
  const { data: clear, info } = await image(content)
    .flatten({ background: '#ffffff' })
    .resize(PREVIEW_SIDE, PREVIEW_SIDE, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer({ resolveWithObject: true });
  // Shrunk to a few pixels and blown up again, then blurred: nothing of a document's text survives.
  // (Two pipelines: sharp applies one resize per pipeline, the last one asked for.)
  const side = Math.max(1, Math.round(Math.max(info.width, info.height) / 24));
  const tiny = await sharp(clear).resize(side, side, { fit: 'inside' }).png().toBuffer();
  const blurred = await sharp(tiny)
    .resize(info.width, info.height, { fit: 'fill', kernel: 'cubic' })
    .blur(Math.max(0.3, Math.min(info.width, info.height) / 40))
    .jpeg({ quality: 60 })
    .toBuffer();
  return { width: info.width, height: info.height, blurred, clear };
}
