package dev.ims.bridge;

import java.util.Locale;

/**
 * Why the P1 reader refused what the meter sent, one counter per reason ({@code telegrams.rejected.<name>}); the first
 * rejection of each reason is logged, later ones are only counted.
 */
public enum P1Rejection {
    /** No {@code /} … {@code !} frame in the text (framing lost, a telegram without its end). */
    FRAME,
    /** The CRC after {@code !} does not match the content, or is not four hex digits. */
    CRC,
    /** A DSMR 4+ (or e-MUCS) telegram without its CRC. */
    NOCRC,
    /** A value the bridge uses carries a unit it cannot convert (kvarh for an energy register …). */
    UNIT,
    /** A telegram that checks but has no import register (neither 1.8.0 nor any of 1.8.1 to 1.8.9). */
    NOIMPORT,
    /** More than {@link P1Source#MAX_TELEGRAM} characters without an end: a runaway frame, cut. */
    OVERSIZE,
    /** A telegram broken off by the start of the next ({@code /} before its {@code !} line ended). */
    TRUNCATED,
    /** An encrypted (Smarty) frame whose GCM tag does not check: a wrong key, or bytes damaged on the line. */
    DECRYPT,
    /** Anything else the parser refused. */
    OTHER;

    /** The counter's name in {@link P1Source#counters()}, e.g. {@code telegrams.rejected.crc}. */
    public String counter() {
        return "telegrams.rejected." + name().toLowerCase(Locale.ROOT);
    }

    /** A refusal with its reason: the message says what was wrong, for the one log line of its kind. */
    public static final class RejectedException extends IllegalArgumentException {
        private final P1Rejection reason;

        public RejectedException(P1Rejection reason, String message) {
            super(message);
            this.reason = reason;
        }

        public P1Rejection reason() {
            return reason;
        }
    }
}
