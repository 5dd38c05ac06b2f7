/**
 * Relay commands: staff send them (at once to an online meter; queued, signed until their expiry, for an
 * offline one and delivered when it comes online), the meter's acknowledgement and readings decide their state.
 */
package dev.ims.portal.command;
