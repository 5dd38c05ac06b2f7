package dev.ims.portal.command;

import dev.ims.model.reading.RelayState;

/**
 * What becomes of a staff request to switch a supply relay, given the meter's interlock and its "do not disconnect" flag:
 * a pure decision, the same for one command and for each meter of a bulk.
 *
 * <ul>
 *   <li>ON with an active {@link Interlock}: {@link Refused} unless the request carries an override reason, then
 *       {@link Proceed} with the overridden interlock recorded.
 *   <li>OFF for a flagged meter: {@link NeedsApproval} by a second staff member (no override skips it).
 *   <li>Anything else: {@link Proceed}.
 * </ul>
 */
public final class RelayPolicy {

    private RelayPolicy() {}

    /** The decision. */
    public sealed interface Decision permits Proceed, Refused, NeedsApproval {}

    /** @param overridden the interlock the request's override set aside, or null when there was none */
    public record Proceed(Interlock overridden) implements Decision {}

    public record Refused(Interlock interlock) implements Decision {}

    /** @param flag the meter's do-not-disconnect flag ({@code by}, {@code at}, {@code reason}) */
    public record NeedsApproval(org.bson.Document flag) implements Decision {}

    /**
     * @param interlock the meter's interlock now
     * @param doNotDisconnect the meter's flag, or null
     * @param overrideReason the request's override reason (validated), or null when it carries none
     */
    public static Decision decide(RelayState relay, Interlock interlock, org.bson.Document doNotDisconnect, String overrideReason) {
        if (relay == RelayState.ON) {
            if (!interlock.active()) {
                return new Proceed(null);
            }
            return overrideReason == null ? new Refused(interlock) : new Proceed(interlock);
        }
        return doNotDisconnect != null ? new NeedsApproval(doNotDisconnect) : new Proceed(null);
    }
}
