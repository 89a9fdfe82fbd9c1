import { z } from 'zod';
import { isPlainLine } from '../domain/text';

/** A registered API client's name, as typed on the command line: the self-service service it stands for. */
export const apiClientNameSchema = z
  .string()
  .trim()
  .min(1, 'the name is empty')
  .max(100, 'the name is longer than 100 characters')
  .refine(isPlainLine, 'the name has control characters or direction marks');

/** A client id as `api-client add` makes them. */
export const clientIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, 'not a client id');
