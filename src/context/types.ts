/** The employer a logged-in person is working for right now, and what the person may do there. */
export interface EmployerContext {
  employer: { id: string; name: string; organisationNumber: string };
  roles: {
    orderer: boolean;
    delegate: boolean;
    /** Codes the person may administer: their own administrator codes, or every code for the orderer and delegate. */
    administratorCodeIds: string[];
    /** Codes where the person holds at least one permission (is a user). */
    userCodeIds: string[];
  };
}

export interface EmployerChoice {
  id: string;
  name: string;
  organisationNumber: string;
}
