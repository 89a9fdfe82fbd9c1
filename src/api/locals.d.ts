import type { AuthenticatedClient } from './clients';

declare global {
  namespace Express {
    interface Locals {
      /** The API client a decision-API request was authenticated as (bearer token). */
      apiClient?: AuthenticatedClient | undefined;
    }
  }
}
