package dev.ims.portal.device;

/** Why the register refused an enrolment or a decommission; the HTTP routes map {@link Kind} to a status. */
public final class DeviceException extends RuntimeException {

    /** What went wrong. */
    public enum Kind {
        /** A meter ID, secret or claim verifier that is not acceptable (400). */
        INVALID,
        /** The meter is enrolled with another secret (409). */
        ALREADY_ENROLLED,
        /** The meter was decommissioned: it cannot be enrolled again under this ID (410). */
        DECOMMISSIONED,
        /** No such meter (404). */
        NOT_FOUND
    }

    private final Kind kind;

    public DeviceException(Kind kind, String message) {
        super(message, null, false, false);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
