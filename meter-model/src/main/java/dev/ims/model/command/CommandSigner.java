package dev.ims.model.command;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Signs commands (supply relay, circuit, schedule) for one meter each (see {@link MeterCommand#signedBytes(String)}).
 * Thread-safe.
 */
public final class CommandSigner {

    private final CommandSigningKey key;

    public CommandSigner(CommandSigningKey key) {
        this.key = key;
    }

    public String keyId() {
        return key.keyId();
    }

    /**
     * The command, valid until {@code expiresAt}, signed for the meter {@code meterId} (the only meter
     * that will accept it).
     */
    @SuppressWarnings("unchecked") // every command's withSignature answers its own type
    public <C extends MeterCommand> C sign(String meterId, C command, Instant expiresAt) {
        MeterCommand unsigned = command.withSignature(expiresAt, key.keyId(), null);
        try {
            Signature s = Signature.getInstance(CommandKeys.ALGORITHM);
            s.initSign(key.privateKey());
            s.update(unsigned.signedBytes(meterId));
            return (C) command.withSignature(expiresAt, key.keyId(), Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with key " + key.keyId() + ": " + e.getMessage(), e);
        }
    }

    /** The command valid for {@code validity} from its {@code ts}, signed for {@code meterId}. */
    public <C extends MeterCommand> C sign(String meterId, C command, Duration validity) {
        return sign(meterId, command, command.ts().plus(validity));
    }

    @Override
    public String toString() {
        return "CommandSigner[keyId=" + key.keyId() + ", privateKey=<hidden>]";
    }
}
