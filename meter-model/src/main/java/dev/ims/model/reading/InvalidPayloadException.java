package dev.ims.model.reading;

/** An untrusted payload broke the contract; {@link #reason()} says how, the message says where. */
public final class InvalidPayloadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    public InvalidPayloadException(RejectReason reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public RejectReason reason() {
        return reason;
    }

    /** {@code REASON: detail}, the form stored with a rejected payload. */
    public String describe() {
        return reason + ": " + getMessage();
    }
}
