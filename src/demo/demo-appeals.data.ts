import { crc32, deflateSync } from 'node:zlib';
import { AppealEvidence, RequestedChanges } from '../modules/appeals/entities/appeal.entity';
import type { DemoStory } from './demo-appeals';

/** The contact of the demo appeal that waits for its person's answer: the one the status page is shown with. */
export const DEMO_AWAITING_REPLY_CONTACT = 'tom.becker.appeal@example.net';

export interface DemoAppeal {
  /** The verified contact email; an appeal filed from it means this one is seeded already. */
  readonly contact: string;
  /** The account it is about, created for it; none: the appeal names an account that does not exist. */
  readonly account?: { readonly logonEmail: string; readonly securePhone?: string; readonly displayName: string };
  /** How the person names the account when there is none to name. */
  readonly claimed?: { readonly uid?: string; readonly logonEmail?: string };
  readonly changes: (contact: string) => RequestedChanges;
  readonly evidence: AppealEvidence;
  readonly filedHoursAgo: number;
  /** What happened to it since, each step at its own time. */
  readonly story?: (appeal: DemoStory) => Promise<void>;
}

/**
 * A few appeals in every state the queue shows (submitted, in review, awaiting the customer with
 * a question, pending a second approval, scheduled, completed, rejected), filed and worked
 * through the services as people and agents would, at times in the past so that their ages,
 * SLA deadlines and the dashboard's medians look like a working queue. Seeded once: an appeal
 * whose contact email already filed one is left alone.
 */
export const DEMO_APPEALS: readonly DemoAppeal[] = [
  {
    contact: 'wei.zhang.appeal@example.net',
    claimed: { logonEmail: 'w.zhang@closed-company.example' },
    changes: (contact) => ({ logonEmail: contact, resetPassword: true }),
    evidence: {
      fullName: 'Wei Zhang',
      description: 'My company closed and its mail server with it; I used that address to sign in and no longer have the old phone either.',
    },
    filedHoursAgo: 3,
  },
  {
    contact: 'maria.garcia.appeal@example.net',
    account: { logonEmail: 'maria.garcia@example.com', securePhone: '+8613900000102', displayName: 'Maria Garcia' },
    changes: (contact) => ({ logonEmail: contact, securePhone: '+8613900000112' }),
    evidence: {
      fullName: 'Maria Garcia',
      description: 'My phone was stolen and my mailbox was taken over; I changed its password but cannot get back in.',
      usualRegion: 'eu-central-1',
    },
    filedHoursAgo: 30,
    story: async (appeal) => {
      await appeal.attach(29, 'police-report.pdf', demoPdf('Police report: phone stolen'));
    },
  },
  {
    contact: 'kenji.sato.appeal@example.net',
    account: { logonEmail: 'kenji.sato@example.com', securePhone: '+8613900000103', displayName: 'Kenji Sato' },
    changes: () => ({ disableTotp: true, resetPassword: true }),
    evidence: {
      fullName: 'Kenji Sato',
      description: 'I reset my phone and lost the authenticator app. I also forgot the password.',
      idDocumentType: 'passport',
      idDocumentLast4: '4821',
    },
    filedHoursAgo: 21,
  },
  {
    contact: 'priya.nair.appeal@example.net',
    account: { logonEmail: 'priya.nair@example.com', securePhone: '+8613900000104', displayName: 'Priya Nair' },
    changes: (contact) => ({ logonEmail: contact }),
    evidence: {
      fullName: 'Priya Nair',
      description: 'The logon email was my university address, which expired after I graduated.',
      lastPaymentAmount: '129.90',
      lastPaymentDate: '2026-10-01',
    },
    filedHoursAgo: 10,
    story: async (appeal) => {
      await appeal.attach(9.5, 'student-id.png', demoPng());
      await appeal.customerSays(8, 'I can also send the invoice of my last payment if that helps.');
      await appeal.agent(0.05, 'claim');
      await appeal.note(0, 'agent', 'Former logon email on record matches the university domain she names.');
    },
  },
  {
    contact: DEMO_AWAITING_REPLY_CONTACT,
    account: { logonEmail: 'tom.becker@example.com', securePhone: '+8613900000105', displayName: 'Tom Becker' },
    changes: (contact) => ({ logonEmail: contact, securePhone: '+8613900000115' }),
    evidence: { fullName: 'Tom Becker', description: 'Lost both the phone and the email account in a move abroad.' },
    filedHoursAgo: 26,
    story: async (appeal) => {
      await appeal.customerSays(25, 'The old phone number was from my previous carrier, which I left.');
      await appeal.agent(20, 'claim');
      await appeal.requestInfo(
        20,
        'agent',
        'Thank you. Please upload a photo of an identity document and the invoice of your last payment, so we can compare them with the account.',
      );
    },
  },
  {
    contact: 'amara.okafor.appeal@example.net',
    account: { logonEmail: 'amara.okafor@example.com', securePhone: '+8613900000106', displayName: 'Amara Okafor' },
    changes: (contact) => ({ logonEmail: contact, resetPassword: true }),
    evidence: {
      fullName: 'Amara Okafor',
      description: 'My phone broke and I forgot which email I used; support told me to file an appeal.',
    },
    filedHoursAgo: 40,
    story: async (appeal) => {
      await appeal.attach(39, 'passport.png', demoPng());
      await appeal.agent(6, 'claim');
      await appeal.note(5.5, 'agent', 'UID, former logon email and phone all match; the passport name matches the display name.');
      await appeal.approve(5, 'Every identifier matches the records and the passport matches the display name.');
    },
  },
  {
    contact: 'lucas.martin.appeal@example.net',
    account: { logonEmail: 'lucas.martin@example.com', securePhone: '+8613900000107', displayName: 'Lucas Martin' },
    changes: (contact) => ({ logonEmail: contact }),
    evidence: {
      fullName: 'Lucas Martin',
      description: 'My work email was closed when I changed jobs; the phone still works but SMS codes never arrive abroad.',
    },
    filedHoursAgo: 50,
    story: async (appeal) => {
      await appeal.agent(30, 'claim');
      await appeal.approve(29, 'UID and phone match; the old work address is on record as the logon email.');
      await appeal.confirm(4);
    },
  },
  {
    contact: 'sofia.rossi.appeal@example.net',
    account: { logonEmail: 'sofia.rossi@example.com', securePhone: '+8613900000108', displayName: 'Sofia Rossi' },
    changes: (contact) => ({ logonEmail: contact, resetPassword: true }),
    evidence: { fullName: 'Sofia Rossi', description: 'Locked out after my email provider shut down.' },
    filedHoursAgo: 144,
    story: async (appeal) => {
      await appeal.agent(130, 'claim');
      await appeal.requestInfo(130, 'agent', 'Which region do you usually sign in from, and what was the amount of your last payment?');
      await appeal.customerSays(110, 'Mostly from Milan; the last payment was 48.00 on the first of the month.');
      await appeal.approve(100, 'Answers are consistent with the account and the identifiers match.');
      await appeal.confirm(96);
    },
  },
  {
    contact: 'omar.haddad.appeal@example.net',
    account: { logonEmail: 'omar.haddad@example.com', securePhone: '+8613900000109', displayName: 'Omar Haddad' },
    changes: (contact) => ({ logonEmail: contact, securePhone: '+8613900000119', disableTotp: true }),
    evidence: { fullName: 'O. Haddad', description: 'Please move the account to my new address and phone.' },
    filedHoursAgo: 72,
    story: async (appeal) => {
      await appeal.agent(52, 'claim');
      await appeal.note(51, 'agent', 'The account owner signed in yesterday from their usual device; this does not look like the owner.');
      await appeal.reject(
        50,
        'Owner active on a trusted device; name does not match.',
        'We could not confirm that you own this account, so we did not change it. If you still cannot sign in, you may file a new appeal with more evidence.',
      );
    },
  },
];

/** A small PNG (a grey card with a darker band), made here so the demo needs no image files. */
function demoPng(): Buffer {
  const width = 96;
  const height = 60;
  const rows = Array.from({ length: height }, (_, y) =>
    Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, y > 8 && y < 20 ? 0x5b : 0xd9)]),
  );
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A one-page PDF saying `text`. */
function demoPdf(text: string): Buffer {
  const stream = `BT /F1 14 Tf 40 100 Td (${text.replace(/[()\\]/g, '')}) Tj ET`;
  return Buffer.from(
    [
      '%PDF-1.4',
      '1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj',
      '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj',
      '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 400 160]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>endobj',
      `4 0 obj<</Length ${stream.length}>>stream\n${stream}\nendstream endobj`,
      '5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj',
      'trailer<</Root 1 0 R>>',
      '%%EOF',
      '',
    ].join('\n'),
    'latin1',
  );
}
