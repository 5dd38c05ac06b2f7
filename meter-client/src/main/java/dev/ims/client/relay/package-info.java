/**
 * Relay commands made safe: the rules a meter applies before it switches its supply relay (signed for this
 * meter by a key it trusts, see {@link dev.ims.client.relay.CommandTrust}; valid from {@code ts} until its
 * {@code expiresAt}, at most 7 days; no replay, a
 * minimum interval between switches) and the on-disk journal that keeps them across
 * restarts. Shared by the simulated meters and the Raspberry Pi bridge through {@code MeterConnection}.
 */
package dev.ims.client.relay;
