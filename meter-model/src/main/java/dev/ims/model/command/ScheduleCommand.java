package dev.ims.model.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.model.circuit.CircuitInfo;
import dev.ims.model.circuit.Schedule;
import dev.ims.model.json.Fields;
import dev.ims.model.json.Json;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RejectReason;
import java.time.Instant;

/**
 * {@code {"commandId","type":"SCHEDULE","circuit","schedule":{...}|null,"ts","expiresAt","keyId","sig"}} on
 * {@code {prefix}/{meterId}/command} (contract "added with circuits"): the schedule the meter runs for the circuit from
 * now on, replacing the one before; null removes it (the circuit then stays as it is). See {@link Schedule}.
 *
 * @param schedule null: no schedule
 */
public record ScheduleCommand(String commandId, String circuit, Schedule schedule, Instant ts, Instant expiresAt, String keyId, String sig)
        implements MeterCommand {

    public static final String TYPE = "SCHEDULE";
    public static final String SIGNED_PREFIX = "ims-circuit-schedule/1";

    public ScheduleCommand {
        if (!CircuitInfo.isValidId(circuit)) {
            throw new IllegalArgumentException("circuit id '" + circuit + "' must match " + CircuitInfo.ID.pattern());
        }
    }

    /** An unsigned command; see {@link CommandSigner#sign}. */
    public ScheduleCommand(String commandId, String circuit, Schedule schedule, Instant ts) {
        this(commandId, circuit, schedule, ts, null, null, null);
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public ScheduleCommand withSignature(Instant expiresAt, String keyId, String sig) {
        return new ScheduleCommand(commandId, circuit, schedule, ts, expiresAt, keyId, sig);
    }

    /**
     * UTF-8 of {@code "ims-circuit-schedule/1\n" + meterId + "\n" + commandId + "\n" + circuit + "\n" +
     * canonical(schedule) + "\n" + ts + "\n" + expiresAt} ({@link Schedule#canonical(Schedule)}: {@code none} for null).
     */
    @Override
    public byte[] signedBytes(String meterId) {
        return MeterCommand.signedBytes(SIGNED_PREFIX, meterId, commandId, ts, expiresAt, circuit, Schedule.canonical(schedule));
    }

    @Override
    public byte[] encode() {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("commandId", commandId);
        o.put("type", TYPE);
        o.put("circuit", circuit);
        if (schedule == null) {
            o.putNull("schedule");
        } else {
            o.set("schedule", schedule.toJson());
        }
        RelayCommand.putSigned(o, ts, expiresAt, keyId, sig);
        return Json.bytes(o);
    }

    /**
     * @throws BadScheduleException when everything but the schedule is a valid command (the meter refuses it
     *     {@code bad-schedule:}, naming the command)
     */
    static ScheduleCommand decode(Fields f) {
        String commandId = f.requiredText("commandId");
        String circuit = f.requiredText("circuit");
        if (!CircuitInfo.isValidId(circuit)) {
            throw new InvalidPayloadException(RejectReason.OUT_OF_RANGE, "circuit '" + Fields.abbreviate(circuit) + "' is not a circuit id");
        }
        if (!f.has("schedule") && f.node("schedule") == null) {
            throw new InvalidPayloadException(RejectReason.MISSING_FIELD, "schedule is required (null removes the schedule)");
        }
        Instant ts = f.requiredInstant("ts");
        Schedule schedule;
        try {
            schedule = Schedule.fromJson(f.node("schedule"));
        } catch (IllegalArgumentException e) {
            throw new BadScheduleException(commandId, circuit, e.getMessage());
        }
        return new ScheduleCommand(commandId, circuit, schedule, ts,
                f.has("expiresAt") ? f.requiredInstant("expiresAt") : null,
                f.optionalText("keyId"),
                f.optionalText("sig"));
    }

    /**
     * A SCHEDULE command whose schedule is not valid, the rest of it being a command: the meter answers it
     * {@code bad-schedule:} rather than ignoring it.
     */
    public static final class BadScheduleException extends RuntimeException {

        private static final long serialVersionUID = 1L;
        private final String commandId;
        private final String circuit;

        BadScheduleException(String commandId, String circuit, String detail) {
            super(detail, null, false, false);
            this.commandId = commandId;
            this.circuit = circuit;
        }

        public String commandId() {
            return commandId;
        }

        public String circuit() {
            return circuit;
        }

        public String detail() {
            return super.getMessage();
        }
    }
}
