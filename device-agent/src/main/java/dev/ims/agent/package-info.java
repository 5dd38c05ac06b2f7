/**
 * Simulated electricity meters, first-class implementations of a meter (not test scaffolding): one per
 * console ({@link dev.ims.agent.AgentMain}) or a whole fleet in one process ({@link dev.ims.agent.Fleet}).
 */
package dev.ims.agent;
