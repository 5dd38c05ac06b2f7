package dev.ims.model.reading;

/**
 * Why a payload was not accepted. The code is stored with every rejected payload and counted, so
 * staff can tell a broken meter from a hostile client. Codes are part of the public contract: add,
 * never rename.
 */
public enum RejectReason {
    /** The payload is larger than {@link ReadingLimits#maxPayloadBytes()}. */
    PAYLOAD_TOO_LARGE,
    /** Not valid UTF-8 JSON: broken, truncated, NaN/Infinity, duplicate keys, too deeply nested. */
    MALFORMED_JSON,
    /** Valid JSON, but not an object. */
    NOT_AN_OBJECT,
    /** A required field is absent or null. */
    MISSING_FIELD,
    /** A field has the wrong JSON type (e.g. a string where a number belongs). */
    WRONG_TYPE,
    /** A number is outside the physically plausible range, or not finite. */
    OUT_OF_RANGE,
    /** {@code status}, {@code fault} or {@code relay} is not one of the contract's codes. */
    UNKNOWN_CODE,
    /** {@code status} and {@code fault} disagree (a FAULT without a code, or a code with OK). */
    INCONSISTENT_FAULT,
    /** The meter ID does not match {@code [A-Za-z0-9_-]{3,64}}. */
    INVALID_METER_ID,
    /** The payload's {@code meterId} differs from the topic's. */
    METER_ID_MISMATCH,
    /** {@code ts} is not an ISO-8601 instant. */
    INVALID_TIMESTAMP,
    /** {@code ts} lies further in the future than the allowed clock skew. */
    TIMESTAMP_IN_FUTURE,
    /** {@code ts} lies before {@link ReadingLimits#earliest()}. */
    TIMESTAMP_TOO_OLD,
    /** The register is lower than an earlier reading's, or higher than a later one's. */
    REGISTER_BACKWARDS,
    /** The topic is not one of the contract's topics. */
    INVALID_TOPIC,
    /** {@code seq} runs further ahead of the meter's last one than the time between them allows. */
    SEQ_JUMP,
    /** The register grew faster than the configured maximum power allows for the time between readings. */
    IMPLAUSIBLE_CONSUMPTION,
    /** A reading with a stored {@code seq} whose content differs from the stored reading. */
    CONFLICTING_DUPLICATE,
    /**
     * Storing the message failed for a reason other than the database being unreachable (the detail names
     * the exception class), or it still failed after a bounded number of retries: it is quarantined and
     * acknowledged so that it cannot hold up the pipeline.
     */
    PROCESSING_FAILED
}
