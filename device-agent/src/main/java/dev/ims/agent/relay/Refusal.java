package dev.ims.agent.relay;

/**
 * Why a meter refused a relay command. The acknowledgement's {@code error} starts with {@link #code()}
 * and a colon, then says in words what was wrong, e.g. {@code "too-soon: last switched at ..."}.
 */
public enum Refusal {
    /** The command's {@code ts} lies more than the validity window before the meter's clock. */
    EXPIRED("expired"),
    /** The command's {@code ts} lies more than the validity window after the meter's clock. */
    FUTURE("future"),
    /** The meter has carried out a command with this ID before (kept across restarts). */
    DUPLICATE("duplicate"),
    /** The relay switched less than the minimum interval ago. */
    TOO_SOON("too-soon"),
    /** The meter could not record the new state, so it did not switch. */
    NOT_SAVED("not-saved");

    private final String code;

    Refusal(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
