/**
 * Accounts, sessions and access: consumer sign-up, staff, log-in by form (session cookie) or API (bearer
 * token), CSRF tokens for forms, and claiming a meter with its claim code. Guessing is limited by
 * {@link dev.ims.portal.account.LoginThrottle} (attempts reserved before the check, growing delays per
 * account-and-address, per address, per claiming account, sign-ups per address; see
 * {@link dev.ims.portal.account.AuthLimits}), and the CPU that password hashes take by
 * {@link dev.ims.portal.account.HashGate}. {@link dev.ims.portal.account.SessionGuard} authenticates every request,
 * {@link dev.ims.portal.account.AuthRoutes} serves the account pages and API, {@link dev.ims.portal.account.MeterClaims}
 * links meters to accounts.
 */
package dev.ims.portal.account;
