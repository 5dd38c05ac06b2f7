package dev.ims.model.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RelayState;
import java.time.Instant;

/**
 * A meter's answer to a command: {@code ok} says whether it was carried out, {@code relay} is the
 * relay's state as the meter measured it afterwards (not the commanded one).
 */
public record CommandAck(String commandId, boolean ok, RelayState relay, String error, Instant ts) {

    public byte[] encode() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("commandId", commandId);
        o.put("ok", ok);
        o.put("relay", relay.name());
        if (error != null) {
            o.put("error", error);
        }
        o.put("ts", ts.toString());
        return Json.bytes(o);
    }

    /** @throws InvalidPayloadException when the payload is not a command acknowledgement */
    public static CommandAck decode(byte[] payload) {
        Fields f = Fields.parse(payload, RelayCommand.MAX_PAYLOAD_BYTES);
        return new CommandAck(
                f.requiredText("commandId"),
                f.requiredBoolean("ok"),
                f.requiredCode("relay", RelayState.class),
                f.optionalText("error"),
                f.requiredInstant("ts"));
    }
}
