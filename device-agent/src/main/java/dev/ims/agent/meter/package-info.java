/** A simulated meter: its register, sequence, relay and faults, and the state file it resumes from. */
package dev.ims.agent.meter;
