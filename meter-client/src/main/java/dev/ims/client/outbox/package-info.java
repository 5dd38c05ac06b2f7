/**
 * Store-and-forward: a meter's readings are kept on disk until the broker has acknowledged them, so a
 * broker outage or a restart of the meter (simulated or the bridge) loses none.
 */
package dev.ims.client.outbox;
