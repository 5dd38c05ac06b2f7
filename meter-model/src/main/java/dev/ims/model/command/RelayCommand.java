package dev.ims.model.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.reading.RelayState;
import java.time.Instant;

/**
 * {@code {"commandId","type":"RELAY","relay":"ON"|"OFF","ts","expiresAt"?,"keyId"?,"sig"?}} on
 * {@code {prefix}/{meterId}/command}.
 *
 * <p>{@code expiresAt}, {@code keyId} and {@code sig} are a compatible extension (contract v1): absent in
 * an unsigned command, all three present in a signed one ({@link CommandSigner}). A meter carries out only
 * signed commands ({@link CommandVerifier}); decoding accepts both, so that the refusal can be specific.
 *
 * @param expiresAt the meter refuses the command after this instant; null when unsigned
 * @param keyId the ID of the key that signed it ({@link CommandKeys#keyId}); null when unsigned
 * @param sig the Ed25519 signature of {@link #signedBytes(String)}, base64url without padding; null when unsigned
 */
public record RelayCommand(String commandId, RelayState relay, Instant ts, Instant expiresAt, String keyId, String sig) implements MeterCommand {

    public static final String TYPE = "RELAY";
    public static final int MAX_PAYLOAD_BYTES = 4096;

    /**
     * The first line of the signed bytes: names what is signed and the version of the format, so that a
     * signature over anything else (another message kind, a later format) can never pass as this one.
     */
    public static final String SIGNED_PREFIX = "ims-relay-command/1";

    /** An unsigned command (the v1 form); a meter refuses it, see {@link CommandSigner#sign}. */
    public RelayCommand(String commandId, RelayState relay, Instant ts) {
        this(commandId, relay, ts, null, null, null);
    }

    /** Whether it carries a signature at all (not whether that signature is valid). */
    public boolean signed() {
        return sig != null || keyId != null;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** This command with its signature fields set. */
    @Override
    public RelayCommand withSignature(Instant expiresAt, String keyId, String sig) {
        return new RelayCommand(commandId, relay, ts, expiresAt, keyId, sig);
    }

    /**
     * The bytes a signature covers (contract): UTF-8 of
     *
     * <pre>
     * "ims-relay-command/1\n" + meterId + "\n" + commandId + "\n" + relay + "\n" + ts + "\n" + expiresAt
     * </pre>
     *
     * where {@code meterId} is the meter the command is for (the {@code {meterId}} of its topic; it is not in
     * the payload: a meter puts its OWN ID here, so a command signed for another meter does not verify on
     * it), {@code relay} is {@code ON} or {@code OFF}, and {@code ts} and {@code expiresAt} are the instants
     * in UTC as ISO-8601 with {@code Z}, seconds always written and a fraction only when not zero, in groups
     * of three digits ({@link java.time.format.DateTimeFormatter#ISO_INSTANT}, {@link Instant#toString()}):
     * {@code 2026-11-29T17:00:00Z}, {@code 2026-11-29T17:00:00.120Z}. The verifier rebuilds this string from
     * the parsed instants, so the payload may write them in any ISO-8601 form; a signer must use this one.
     * No field may contain a line feed (a command ID with one can never verify).
     *
     * @throws IllegalStateException when {@code expiresAt} is missing
     */
    @Override
    public byte[] signedBytes(String meterId) {
        return MeterCommand.signedBytes(SIGNED_PREFIX, meterId, commandId, ts, expiresAt, relay.name());
    }

    @Override
    public byte[] encode() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("commandId", commandId);
        o.put("type", TYPE);
        o.put("relay", relay.name());
        putSigned(o, ts, expiresAt, keyId, sig);
        return Json.bytes(o);
    }

    /** {@code ts} and, when present, {@code expiresAt}, {@code keyId} and {@code sig}: the fields every command ends with. */
    static void putSigned(ObjectNode o, Instant ts, Instant expiresAt, String keyId, String sig) {
        o.put("ts", ts.toString());
        if (expiresAt != null) {
            o.put("expiresAt", expiresAt.toString());
        }
        if (keyId != null) {
            o.put("keyId", keyId);
        }
        if (sig != null) {
            o.put("sig", sig);
        }
    }

    /** @throws InvalidPayloadException when the payload is not a relay command (signed or not) */
    public static RelayCommand decode(byte[] payload) {
        Fields f = Fields.parse(payload, MAX_PAYLOAD_BYTES);
        String type = f.requiredText("type");
        if (!TYPE.equals(type)) {
            throw new InvalidPayloadException(RejectReason.UNKNOWN_CODE, "command type '" + Fields.abbreviate(type) + "' is not RELAY");
        }
        return decode(f);
    }

    static RelayCommand decode(Fields f) {
        return new RelayCommand(
                f.requiredText("commandId"),
                f.requiredCode("relay", RelayState.class),
                f.requiredInstant("ts"),
                f.has("expiresAt") ? f.requiredInstant("expiresAt") : null,
                f.optionalText("keyId"),
                f.optionalText("sig"));
    }
}
