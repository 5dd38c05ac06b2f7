package dev.ims.model.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import dev.ims.model.reading.RelayState;
import java.time.Instant;

/** {@code {"commandId","type":"RELAY","relay":"ON"|"OFF","ts"}} on {@code {prefix}/{meterId}/command}. */
public record RelayCommand(String commandId, RelayState relay, Instant ts) {

    public static final String TYPE = "RELAY";
    public static final int MAX_PAYLOAD_BYTES = 4096;

    public byte[] encode() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("commandId", commandId);
        o.put("type", TYPE);
        o.put("relay", relay.name());
        o.put("ts", ts.toString());
        return Json.bytes(o);
    }

    /** @throws InvalidPayloadException when the payload is not a relay command */
    public static RelayCommand decode(byte[] payload) {
        Fields f = Fields.parse(payload, MAX_PAYLOAD_BYTES);
        String type = f.requiredText("type");
        if (!TYPE.equals(type)) {
            throw new InvalidPayloadException(RejectReason.UNKNOWN_CODE, "command type '" + type + "' is not RELAY");
        }
        return new RelayCommand(
                f.requiredText("commandId"), f.requiredCode("relay", RelayState.class), f.requiredInstant("ts"));
    }
}
