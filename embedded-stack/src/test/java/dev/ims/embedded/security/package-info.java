/**
 * The security contract every supported broker passes: identities, not anonymous clients; each meter confined to its
 * own topics; services to their role's rights ({@code BrokerRights}); revocation effective at once.
 */
package dev.ims.embedded.security;
