/**
 * Accounts, sessions and access: consumer sign-up, staff, log-in by form (session cookie) or API (bearer
 * token), CSRF tokens for forms, throttled log-in attempts, and claiming a meter with its claim code.
 */
package dev.ims.portal.account;
