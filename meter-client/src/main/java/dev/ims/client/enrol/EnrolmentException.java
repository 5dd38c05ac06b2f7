package dev.ims.client.enrol;

/**
 * The portal did not enrol the meter, and why ({@link Reason}). The message is the operator's: it says what
 * happened and what to do, and never holds a secret.
 */
public final class EnrolmentException extends Exception {

    /** Why an enrolment failed. */
    public enum Reason {
        /** 401: the provisioning key is not the fleet's. */
        UNAUTHORIZED,
        /** 400: the portal refused the request as invalid. */
        INVALID,
        /** 409: the meter ID is enrolled with another secret (another copy of the meter, or a lost state file). */
        CONFLICT,
        /** 410: the meter was decommissioned; it may never connect again. */
        DECOMMISSIONED,
        /** The portal could not be reached, or answered 5xx: worth asking again later. */
        UNREACHABLE,
        /** Any other answer (e.g. 404 from a portal without enrolment). */
        UNEXPECTED
    }

    private final Reason reason;
    private final int status;

    public EnrolmentException(Reason reason, int status, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.status = status;
    }

    public Reason reason() {
        return reason;
    }

    /** The HTTP status, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** Whether asking again later may succeed (no answer, or the portal's own error). */
    public boolean retryable() {
        return reason == Reason.UNREACHABLE;
    }
}
