package dev.ims.embedded;

/** An embedded server did not start (port taken, data folder unusable, time-out). */
public final class EmbeddedStartException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public EmbeddedStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
