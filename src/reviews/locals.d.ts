declare global {
  namespace Express {
    interface Locals {
      /** An access review is open at the chosen employer and the person administers a code here (for the links). */
      reviewOpen?: boolean | undefined;
    }
  }
}

export {};
