import type { EmployerContext } from './types';

/** The orderer and the delegate appoint administrators (the role itself cannot be delegated further). */
export function canManageAdministrators(context: EmployerContext): boolean {
  return context.roles.orderer || context.roles.delegate;
}

export function canAdminister(context: EmployerContext, employerCodeId: string): boolean {
  return context.roles.administratorCodeIds.includes(employerCodeId);
}

export function isAdministratorOfAny(context: EmployerContext): boolean {
  return context.roles.administratorCodeIds.length > 0;
}

/** The role a change is recorded under in the audit log: the strongest one the person holds here. */
export function auditRole(context: EmployerContext): 'orderer' | 'delegate' | 'administrator' | 'user' {
  if (context.roles.orderer) return 'orderer';
  if (context.roles.delegate) return 'delegate';
  if (context.roles.administratorCodeIds.length > 0) return 'administrator';
  return 'user';
}
