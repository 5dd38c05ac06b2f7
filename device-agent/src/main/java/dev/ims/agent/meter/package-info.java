/**
 * A simulated meter: its register, sequence, relay and faults. The state it resumes from and its file are
 * shared with the real meter, in {@code dev.ims.client.meter} (module meter-client).
 */
package dev.ims.agent.meter;
