package dev.ims.client.enrol;

/**
 * A meter cannot run: the portal refused it for good (another secret, decommissioned), or a meter that was never
 * enrolled could not enrol (wrong provisioning key, no portal). The message says what to do; a CLI prints it and
 * exits non-zero, without connecting to the broker.
 */
public final class EnrolmentRefusedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String meterId;
    private final EnrolmentException.Reason reason;

    public EnrolmentRefusedException(String meterId, EnrolmentException.Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.meterId = meterId;
        this.reason = reason;
    }

    public String meterId() {
        return meterId;
    }

    public EnrolmentException.Reason reason() {
        return reason;
    }
}
