package dev.ims.model.command;

import dev.ims.model.json.Fields;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import java.time.Instant;

/**
 * A command on {@code {prefix}/{meterId}/command}: the supply relay ({@link RelayCommand}, type {@code RELAY}), a
 * circuit's relay ({@link CircuitCommand}, {@code CIRCUIT}) or a circuit's schedule ({@link ScheduleCommand},
 * {@code SCHEDULE}). All are signed the same way ({@link CommandSigner}, {@link CommandVerifier}); only their signed
 * bytes differ, each starting with its own prefix line so that a signature over one kind never passes as another.
 */
public sealed interface MeterCommand permits RelayCommand, CircuitCommand, ScheduleCommand {

    String commandId();

    Instant ts();

    /** Null when unsigned. */
    Instant expiresAt();

    /** Null when unsigned. */
    String keyId();

    /** Null when unsigned. */
    String sig();

    /** The command's {@code type} on the wire. */
    String type();

    /** The circuit it is for; null for the supply relay. */
    default String circuit() {
        return null;
    }

    /**
     * The bytes its signature covers, with {@code meterId} the meter it is for.
     *
     * @throws IllegalStateException when {@code expiresAt} is missing
     */
    byte[] signedBytes(String meterId);

    /** This command with its signature fields set. */
    MeterCommand withSignature(Instant expiresAt, String keyId, String sig);

    byte[] encode();

    /**
     * Decodes any command, dispatching on {@code type}.
     *
     * @throws InvalidPayloadException when the payload is no command, names an unknown type, or is not valid for its type
     */
    static MeterCommand decode(byte[] payload) {
        Fields f = Fields.parse(payload, RelayCommand.MAX_PAYLOAD_BYTES);
        String type = f.requiredText("type");
        return switch (type) {
            case RelayCommand.TYPE -> RelayCommand.decode(f);
            case CircuitCommand.TYPE -> CircuitCommand.decode(f);
            case ScheduleCommand.TYPE -> ScheduleCommand.decode(f);
            default -> throw new InvalidPayloadException(RejectReason.UNKNOWN_CODE,
                    "command type '" + Fields.abbreviate(type) + "' is not RELAY, CIRCUIT or SCHEDULE");
        };
    }

    /**
     * The bytes every command kind signs: UTF-8 of {@code prefix + "\n" + meterId + "\n" + commandId + "\n" + field + "\n"
     * + … + ts + "\n" + expiresAt}, the instants as {@link Instant#toString()} writes them (UTC, {@code Z}, seconds always,
     * a fraction in groups of three only when not zero).
     *
     * @param fields the kind's own fields, in the order its contract names them
     * @throws IllegalStateException when {@code expiresAt} is null: a signature needs it
     */
    static byte[] signedBytes(String prefix, String meterId, String commandId, Instant ts, Instant expiresAt, String... fields) {
        if (expiresAt == null) {
            throw new IllegalStateException("a command without expiresAt cannot be signed");
        }
        StringBuilder s = new StringBuilder(prefix).append('\n').append(meterId).append('\n').append(commandId);
        for (String field : fields) {
            s.append('\n').append(field);
        }
        s.append('\n').append(ts).append('\n').append(expiresAt);
        return s.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
}
