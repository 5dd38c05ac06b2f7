package dev.ims.model.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.reading.RelayState;
import java.time.Instant;

/**
 * {@code {"commandId","type":"CIRCUIT","circuit","relay":"ON"|"OFF","ts","expiresAt","keyId","sig"}} on
 * {@code {prefix}/{meterId}/command} (contract "added with circuits"): switch one circuit's relay, never the supply
 * relay. Signed like {@link RelayCommand}; see {@link #signedBytes(String)}.
 */
public record CircuitCommand(String commandId, String circuit, RelayState relay, Instant ts, Instant expiresAt, String keyId, String sig)
        implements MeterCommand {

    public static final String TYPE = "CIRCUIT";
    public static final String SIGNED_PREFIX = "ims-circuit-command/1";

    public CircuitCommand {
        if (!CircuitInfo.isValidId(circuit)) {
            throw new IllegalArgumentException("circuit id '" + circuit + "' must match " + CircuitInfo.ID.pattern());
        }
        if (relay == null) {
            throw new IllegalArgumentException("relay is required");
        }
    }

    /** An unsigned command; see {@link CommandSigner#sign}. */
    public CircuitCommand(String commandId, String circuit, RelayState relay, Instant ts) {
        this(commandId, circuit, relay, ts, null, null, null);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public CircuitCommand withSignature(Instant expiresAt, String keyId, String sig) {
        return new CircuitCommand(commandId, circuit, relay, ts, expiresAt, keyId, sig);
    }

    /**
     * UTF-8 of {@code "ims-circuit-command/1\n" + meterId + "\n" + commandId + "\n" + circuit + "\n" + relay + "\n" + ts
     * + "\n" + expiresAt}, the instants written as in {@link RelayCommand#signedBytes(String)}.
     */
    @Override
    public byte[] signedBytes(String meterId) {
        return MeterCommand.signedBytes(SIGNED_PREFIX, meterId, commandId, ts, expiresAt, circuit, relay.name());
    }

    @Override
    public byte[] encode() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("commandId", commandId);
        o.put("type", TYPE);
        o.put("circuit", circuit);
        o.put("relay", relay.name());
        RelayCommand.putSigned(o, ts, expiresAt, keyId, sig);
        return Json.bytes(o);
    }

    static CircuitCommand decode(Fields f) {
        String circuit = f.requiredText("circuit");
        if (!CircuitInfo.isValidId(circuit)) {
            throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE, "circuit '" + Fields.abbreviate(circuit) + "' is not a circuit id");
        }
        return new CircuitCommand(
                f.requiredText("commandId"),
                circuit,
                f.requiredCode("relay", RelayState.class),
                f.requiredInstant("ts"),
                f.has("expiresAt") ? f.requiredInstant("expiresAt") : null,
                f.optionalText("keyId"),
                f.optionalText("sig"));
    }
}
