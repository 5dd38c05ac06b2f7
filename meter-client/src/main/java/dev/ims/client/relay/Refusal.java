package dev.ims.client.relay;

/**
 * Why a meter refused a command (supply relay, circuit or schedule). The acknowledgement's {@code error} starts with {@link #code()}
 * and a colon, then says in words what was wrong, e.g. {@code "too-soon: last switched at ..."}.
 */
public enum Refusal {
    /** The command carries no signature ({@code sig} and {@code keyId}). */
    UNSIGNED("unsigned"),
    /** Signed by a key the meter does not trust, or the meter trusts no key at all (no key set). */
    UNKNOWN_KEY("unknown-key"),
    /** The signature does not verify for this meter: altered, forged, or signed for another meter. */
    BAD_SIGNATURE("bad-signature"),
    /**
     * The meter's clock is past the command's {@code expiresAt}, or the command is signed valid for longer than
     * {@link RelayRules#MAX_SIGNED_VALIDITY} ({@code expiresAt - ts}).
     */
    EXPIRED("expired"),
    /** The command's {@code ts} lies more than the validity window (or the signature's clock skew) after the meter's clock. */
    FUTURE("future"),
    /** The meter has carried out a command with this ID before (kept across restarts). */
    DUPLICATE("duplicate"),
    /** The relay switched less than the minimum interval ago. */
    TOO_SOON("too-soon"),
    /** The meter could not record the new state, so it did not switch. */
    NOT_SAVED("not-saved"),
    /** A circuit command or schedule for a circuit marked critical (a fridge, medical equipment): never switched remotely. */
    CRITICAL("critical"),
    /** A circuit command or schedule for a circuit this meter does not have (or a meter without circuits). */
    UNKNOWN_CIRCUIT("unknown-circuit"),
    /** A circuit command or schedule for a circuit without a relay. */
    NOT_SWITCHABLE("not-switchable"),
    /** A schedule command whose schedule is not valid (windows, zone, cap). */
    BAD_SCHEDULE("bad-schedule");

    private final String code;

    Refusal(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
