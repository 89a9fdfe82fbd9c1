/** The administrators' periodic access review, and the staff's view of the reviews' completion. */
export const reviewsPaths = {
  review: '/granskning',
  staff: '/handlaggare/granskningar',
} as const;
