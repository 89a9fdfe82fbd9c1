/** A user's access requests, and the administrators' queue of them. Patterns with `:params` are filled with `pathTo`. */
export const requestsPaths = {
  mine: '/mina-forfragningar',
  create: '/mina-forfragningar/ny',
  queue: '/forfragningar',
  approve: '/forfragningar/:requestId/godkann',
  reject: '/forfragningar/:requestId/avsla',
} as const;
