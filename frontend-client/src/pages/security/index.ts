// The account security page (sessions, two-step verification, passkeys, password) and the
// security log, one file per card.
export { SecurityLogPage } from './SecurityLogPage';
export { SecurityPage } from './SecurityPage';
