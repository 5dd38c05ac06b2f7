/** Relay commands: staff send them, the meter's acknowledgement and readings decide their state. */
package dev.ims.portal.command;
