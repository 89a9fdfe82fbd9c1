import { z } from 'zod';
import { UUID } from '../employers/schemas';

/** The page number of a list (`?sida=`): anything else reads as the first page. */
const pageNumber = z.preprocess(
  (value) => (typeof value === 'string' && /^[0-9]{1,6}$/.test(value) ? Number(value) : 1),
  z.number().int().min(1).catch(1),
);

/** Which employers a list shows; the Swedish words are the URL's `?urval=`, the English ones the code's. */
export const EMPLOYER_FILTERS = {
  alla: 'all',
  'med-bestallare': 'with-orderer',
  'utan-bestallare': 'without-orderer',
  'brev-skickat': 'letter-sent',
  'brev-ej-skickat': 'letter-not-sent',
  'utan-adress': 'no-registry-email',
} as const;

export type EmployerFilter = (typeof EMPLOYER_FILTERS)[keyof typeof EMPLOYER_FILTERS];

/** Which imported users a list shows (`?urval=`). */
export const IMPORTED_FILTERS = {
  alla: 'all',
  granskade: 'reviewed',
  'ej-granskade': 'not-reviewed',
} as const;

export type ImportedFilter = (typeof IMPORTED_FILTERS)[keyof typeof IMPORTED_FILTERS];

function filterParam<T extends Record<string, string>>(filters: T) {
  const words = Object.keys(filters) as [keyof T & string, ...(keyof T & string)[]];
  return z.preprocess((value) => (typeof value === 'string' ? value : 'alla'), z.enum(words).catch('alla'));
}

export const employerListSchema = z.object({ urval: filterParam(EMPLOYER_FILTERS), sida: pageNumber });
export const codeListSchema = z.object({ sida: pageNumber });
export const importedListSchema = z.object({ urval: filterParam(IMPORTED_FILTERS), sida: pageNumber });

/** Who gets the letter: every employer with a registry address, or only those without an active orderer. */
export type Audience = 'all' | 'without_orderer';

export const AUDIENCES = { alla: 'all', 'utan-bestallare': 'without_orderer' } as const satisfies Record<
  string,
  Audience
>;

/**
 * The letter form. `submissionId` is the form's own key (made when the form is shown): the same form sent twice
 * sends once. `decision` is absent on the first step; on the confirmation step it says whether employers that
 * already got the letter get it again (`alla`, only with the digest of exactly the list that was confirmed) or not
 * (`nya`).
 */
export const letterSchema = z.object({
  audience: z
    .enum(['alla', 'utan-bestallare'], 'launch.letter.errors.audienceRequired')
    .transform((word) => AUDIENCES[word]),
  submissionId: z.string('launch.letter.errors.expired').regex(UUID, 'launch.letter.errors.expired'),
  decision: z.enum(['nya', 'alla']).optional().catch(undefined),
  resendDigest: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional()
    .catch(undefined),
});

export type LetterInput = z.infer<typeof letterSchema>;
