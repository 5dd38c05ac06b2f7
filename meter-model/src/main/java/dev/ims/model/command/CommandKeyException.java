package dev.ims.model.command;

/**
 * A command key or key-set file cannot be read, written or understood; the message names the file and
 * what was wrong, never the key's secret.
 */
public final class CommandKeyException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CommandKeyException(String message) {
        super(message);
    }

    public CommandKeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
