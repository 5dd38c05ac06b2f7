/**
 * Relay commands: staff send them (at once to an online meter; queued, signed until their expiry, for an
 * offline one and delivered when it comes online), the meter's acknowledgement and readings decide their state.
 * Fleet operations guard and multiply them: the interlock (an ON for a meter reporting a fault or with an open tamper
 * alarm needs an override with a reason), the "do not disconnect" flag (an OFF then waits for a second staff member's
 * approval) and bulk requests released at a rate limit ({@link dev.ims.portal.command.RelayOperations},
 * {@link dev.ims.portal.command.BulkCommands}).
 */
package dev.ims.portal.command;
