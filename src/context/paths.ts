/** Choosing the employer to work for, and the start page in its context. */
export const contextPaths = {
  choose: '/valj-arbetsgivare',
} as const;
