package dev.ims.model.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.reading.RelayState;
import java.time.Instant;

/**
 * A meter's answer to a command: {@code ok} says whether it was carried out, {@code relay} is the relay's state as the
 * meter measured it afterwards (not the commanded one).
 *
 * <p>For a circuit's command (CIRCUIT, SCHEDULE; contract "added with circuits") {@code circuit} names the circuit and
 * {@code relay} is that circuit's relay; it is absent (null) only then, when the circuit has no relay (unknown to the
 * meter, or not switchable). For the supply relay {@code circuit} is absent and {@code relay} always present.
 *
 * @param circuit the circuit the command was for; null for the supply relay
 */
public record CommandAck(String commandId, boolean ok, String circuit, RelayState relay, String error, Instant ts) {

    public CommandAck {
        if (relay == null && circuit == null) {
            throw new IllegalArgumentException("an acknowledgement for the supply relay names its state");
        }
    }

    /** The supply relay's acknowledgement. */
    public CommandAck(String commandId, boolean ok, RelayState relay, String error, Instant ts) {
        this(commandId, ok, null, relay, error, ts);
    }

    public byte[] encode() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("commandId", commandId);
        o.put("ok", ok);
        if (circuit != null) {
            o.put("circuit", circuit);
        }
        if (relay != null) {
            o.put("relay", relay.name());
        }
        if (error != null) {
            o.put("error", error);
        }
        o.put("ts", ts.toString());
        return Json.bytes(o);
    }

    /** @throws InvalidPayloadException when the payload is not a command acknowledgement */
    public static CommandAck decode(byte[] payload) {
        Fields f = Fields.parse(payload, RelayCommand.MAX_PAYLOAD_BYTES);
        String circuit = f.optionalText("circuit");
        if (circuit != null && !dev.ims.model.circuit.CircuitInfo.isValidId(circuit)) {
            throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE, "circuit '" + Fields.abbreviate(circuit) + "' is not a circuit id");
        }
        return new CommandAck(
                f.requiredText("commandId"),
                f.requiredBoolean("ok"),
                circuit,
                circuit == null ? f.requiredCode("relay", RelayState.class) : f.optionalCode("relay", RelayState.class),
                f.optionalText("error"),
                f.requiredInstant("ts"));
    }
}
