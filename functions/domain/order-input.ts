import * as z from 'zod';
import { meaningfulText } from './text.ts';

/**
 * What a contact looks like when it arrives (POST /orders, and later Open311): the boundary schema.
 * Shape errors are 400s; whether the codes exist in this city is checked against reference data by
 * `checkAgainstReferenceData` (422s). Every free text follows `meaningfulText` (./text.ts): never blank.
 */
export const appealTypes = ['consultation', 'help', 'complaint', 'report', 'suggestion', 'praise'] as const;
/** 咨询 求助 投诉 举报 建议 表扬 */
export const appealTypeNames: Record<(typeof appealTypes)[number], string> = {
  consultation: '咨询',
  help: '求助',
  complaint: '投诉',
  report: '举报',
  suggestion: '建议',
  praise: '表扬',
};

export const channels = [
  'phone',
  'web',
  'app',
  'mini_program',
  'open311',
  'email',
  'letter',
  'in_person',
] as const;
export const urgencies = ['emergency', 'urgent', 'normal'] as const;

/** Art. 11: the ways a contact is closed without dispatch. None of them is a refusal: each is recorded. */
export const dispositionKinds = [
  'emergency_transfer', // 110 / 119 / 120 / 122
  'legal_channel', // courts, arbitration, discipline inspection, administrative review, petitions
  'repeat', // same matter as an open or finished order, no new facts: told the progress
  'confidential', // state secrets, commercial secrets or personal privacy
  'outside_duty', // no unit's duty: pointed to market or social channels
  'unlawful', // against law or public order: dissuaded
  'answered', // a consultation answered on the spot
] as const;
export type DispositionKind = (typeof dispositionKinds)[number];

const phone = z
  .string()
  .regex(/^\+?[0-9][0-9 -]{4,19}$/, 'a phone number: digits, spaces or dashes, 5 to 20');

export const dispositionSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('emergency_transfer'),
    transferredTo: z.enum(['110', '119', '120', '122']),
    note: meaningfulText(1000).optional(),
  }),
  z.strictObject({
    kind: z.literal('legal_channel'),
    channel: z.enum(['litigation', 'arbitration', 'discipline', 'administrative_review', 'petition']),
    note: meaningfulText(1000).optional(),
  }),
  z.strictObject({
    kind: z.literal('repeat'),
    originalOrderId: z.string().min(1).max(64),
    note: meaningfulText(1000).optional(),
  }),
  z.strictObject({ kind: z.literal('confidential'), note: meaningfulText(1000).optional() }),
  z.strictObject({ kind: z.literal('outside_duty'), note: meaningfulText(1000).optional() }),
  z.strictObject({ kind: z.literal('unlawful'), note: meaningfulText(1000).optional() }),
  z.strictObject({ kind: z.literal('answered'), answer: meaningfulText(4000) }),
]);
export type Disposition = z.infer<typeof dispositionSchema>;

export const requesterSchema = z
  .strictObject({
    kind: z.enum(['person', 'enterprise']),
    name: meaningfulText(100).optional(),
    phone: phone.optional(),
    email: z.email().max(254).optional(),
    anonymous: z.boolean().default(false),
    /** Unified social credit code (统一社会信用代码) of an enterprise requester. */
    creditCode: z
      .string()
      .regex(/^[0-9A-HJ-NPQRTUWXY]{18}$/, 'an 18-character unified social credit code')
      .optional(),
    /** The requester declined to be called back. */
    declinesCallback: z.boolean().default(false),
  })
  .refine((r) => !(r.anonymous && (r.name || r.phone || r.email || r.creditCode)), {
    message: 'an anonymous requester gives no name, phone, e-mail or credit code',
    path: ['anonymous'],
  });
export type Requester = z.infer<typeof requesterSchema>;

export const locationSchema = z.strictObject({
  districtCode: z.string().regex(/^\d{6}$/, 'a 6-digit district code'),
  streetCode: z
    .string()
    .regex(/^\d{9}$/, 'a 9-digit street/township code')
    .optional(),
  address: meaningfulText(300).optional(),
  lat: z.number().min(-90).max(90).optional(),
  long: z.number().min(-180).max(180).optional(),
});
export type OrderLocation = z.infer<typeof locationSchema>;

export const newOrderSchema = z
  .strictObject({
    appealType: z.enum(appealTypes),
    categoryCode: z.string().regex(/^\d{2}(\d{2}){0,2}$/, 'a category code of 2, 4 or 6 digits'),
    description: meaningfulText(4000),
    channel: z.enum(channels),
    urgency: z.enum(urgencies),
    requester: requesterSchema,
    location: locationSchema,
    disposition: dispositionSchema.optional(),
    /** A photo or other media of the matter (Open311's media_url): published with the order. */
    mediaUrl: z
      .url({ protocol: /^https?$/, normalize: true })
      .max(2048)
      .optional(),
  })
  .refine((o) => (o.location.lat === undefined) === (o.location.long === undefined), {
    message: 'lat and long come together',
    path: ['location'],
  })
  .refine((o) => o.disposition?.kind !== 'answered' || o.appealType === 'consultation', {
    message: 'only a consultation can be answered on the spot',
    path: ['disposition', 'kind'],
  });
export type NewOrderInput = z.infer<typeof newOrderSchema>;
