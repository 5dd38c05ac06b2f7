package dev.ims.model.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.model.circuit.Schedule;
import dev.ims.model.command.Verification.Outcome;
import dev.ims.model.reading.InvalidPayloadException;
import dev.ims.model.reading.RelayState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;

class CircuitCommandsTest {

    private static final String METER = "IMS-01JD3T9K2Q";
    private static final Instant TS = Instant.parse("2026-11-29T17:00:00Z");
    private static final Instant NOW = TS.plusSeconds(10);
    private static final CommandSigningKey KEY = CommandSigningKey.generate();
    private static final CommandVerifier VERIFIER = new CommandVerifier(CommandKeySet.of(KEY.publicKey()));
    private static final Schedule NIGHT = new Schedule(ZoneId.of("Europe/Berlin"),
            List.of(Schedule.Window.of("00:00", "06:00"), Schedule.Window.of("22:00", "24:00")), 4);

    private static CircuitCommand circuitOff() {
        return KEY.signer().sign(METER, new CircuitCommand("cmd-c", "water-heater", RelayState.OFF, TS), Duration.ofMinutes(5));
    }

    private static ScheduleCommand night() {
        return KEY.signer().sign(METER, new ScheduleCommand("cmd-s", "water-heater", NIGHT, TS), Duration.ofMinutes(5));
    }

    @Test
    void circuitCommand_signedBytes_areTheDocumentedString() {
        assertThat(new String(circuitOff().signedBytes(METER), StandardCharsets.UTF_8))
                .isEqualTo("ims-circuit-command/1\nIMS-01JD3T9K2Q\ncmd-c\nwater-heater\nOFF\n2026-11-29T17:00:00Z\n2026-11-29T17:05:00Z");
    }

    @Test
    void scheduleCommand_signedBytes_carryTheCanonicalSchedule_orNone() {
        assertThat(new String(night().signedBytes(METER), StandardCharsets.UTF_8)).isEqualTo("ims-circuit-schedule/1\nIMS-01JD3T9K2Q\ncmd-s\n"
                + "water-heater\nEurope/Berlin;00:00-06:00,22:00-24:00;4\n2026-11-29T17:00:00Z\n2026-11-29T17:05:00Z");
        ScheduleCommand none = KEY.signer().sign(METER, new ScheduleCommand("cmd-n", "water-heater", null, TS), Duration.ofMinutes(5));
        assertThat(new String(none.signedBytes(METER), StandardCharsets.UTF_8)).contains("\nwater-heater\nnone\n");
    }

    @Test
    void signedCircuitAndScheduleCommands_surviveTheWire_andVerifyForTheirMeterOnly() {
        MeterCommand c = MeterCommand.decode(circuitOff().encode());
        MeterCommand s = MeterCommand.decode(night().encode());
        assertThat(c).isEqualTo(circuitOff());
        assertThat(s).isEqualTo(night());
        assertThat(VERIFIER.verify(METER, c, NOW).ok()).isTrue();
        assertThat(VERIFIER.verify(METER, s, NOW).ok()).isTrue();
        assertThat(VERIFIER.verify("IMS-OTHER", c, NOW).outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
        assertThat(VERIFIER.verify("IMS-OTHER", s, NOW).outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
    }

    @Test
    void nullSchedule_travelsAsJsonNull_andDecodesToNone() {
        ScheduleCommand none = KEY.signer().sign(METER, new ScheduleCommand("cmd-n", "water-heater", null, TS), Duration.ofMinutes(5));
        assertThat(new String(none.encode(), StandardCharsets.UTF_8)).contains("\"schedule\":null");
        ScheduleCommand decoded = (ScheduleCommand) MeterCommand.decode(none.encode());
        assertThat(decoded.schedule()).isNull();
        assertThat(VERIFIER.verify(METER, decoded, NOW).ok()).isTrue();
    }

    @Test
    void alteredCircuit_relayOrSchedule_doesNotVerify() {
        String c = new String(circuitOff().encode(), StandardCharsets.UTF_8);
        assertThat(VERIFIER.verify(METER, MeterCommand.decode(c.replace("water-heater", "ev-charger").getBytes(StandardCharsets.UTF_8)), NOW)
                .outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
        assertThat(VERIFIER.verify(METER, MeterCommand.decode(c.replace("\"OFF\"", "\"ON\"").getBytes(StandardCharsets.UTF_8)), NOW)
                .outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
        String s = new String(night().encode(), StandardCharsets.UTF_8);
        assertThat(VERIFIER.verify(METER, MeterCommand.decode(s.replace("\"maxHoursPerDay\":4", "\"maxHoursPerDay\":24")
                .getBytes(StandardCharsets.UTF_8)), NOW).outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
        assertThat(VERIFIER.verify(METER, MeterCommand.decode(s.replace("06:00", "07:00").getBytes(StandardCharsets.UTF_8)), NOW)
                .outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
    }

    @Test
    void aRelaySignature_neverPassesForACircuitCommand() {
        RelayCommand relay = KEY.signer().sign(METER, new RelayCommand("cmd-c", RelayState.OFF, TS), Duration.ofMinutes(5));
        CircuitCommand forged = new CircuitCommand("cmd-c", "water-heater", RelayState.OFF, TS, relay.expiresAt(), relay.keyId(), relay.sig());
        assertThat(VERIFIER.verify(METER, forged, NOW).outcome()).isEqualTo(Outcome.BAD_SIGNATURE);
    }

    @Test
    void relayCommands_decodeThroughTheCommonDecoder_unchanged() {
        RelayCommand relay = KEY.signer().sign(METER, new RelayCommand("cmd-r", RelayState.ON, TS), Duration.ofMinutes(5));
        assertThat(MeterCommand.decode(relay.encode())).isEqualTo(relay);
        assertThat(RelayCommand.decode(relay.encode())).isEqualTo(relay);
    }

    @Test
    void unknownType_orBadCircuitId_isInvalid() {
        assertThatThrownBy(() -> MeterCommand.decode("{\"commandId\":\"x\",\"type\":\"DANCE\",\"ts\":\"2026-11-29T17:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(InvalidPayloadException.class).hasMessageContaining("DANCE");
        assertThatThrownBy(() -> MeterCommand.decode(("{\"commandId\":\"x\",\"type\":\"CIRCUIT\",\"circuit\":\"Water Heater\",\"relay\":\"ON\","
                + "\"ts\":\"2026-11-29T17:00:00Z\"}").getBytes(StandardCharsets.UTF_8))).isInstanceOf(InvalidPayloadException.class)
                .hasMessageContaining("circuit");
    }

    @Test
    void badSchedule_inAnOtherwiseWellFormedCommand_namesTheCommandAndCircuit() {
        String json = "{\"commandId\":\"cmd-b\",\"type\":\"SCHEDULE\",\"circuit\":\"water-heater\",\"schedule\":{\"zone\":\"Europe/Berlin\","
                + "\"windows\":[{\"from\":\"25:00\",\"to\":\"06:00\"}]},\"ts\":\"2026-11-29T17:00:00Z\"}";
        assertThatThrownBy(() -> MeterCommand.decode(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(ScheduleCommand.BadScheduleException.class, e -> {
                    assertThat(e.commandId()).isEqualTo("cmd-b");
                    assertThat(e.circuit()).isEqualTo("water-heater");
                    assertThat(e.detail()).contains("25:00");
                });
    }

    @Test
    void circuitAck_carriesTheCircuit_andMayLackARelay_butASupplyAckMayNot() {
        CommandAck ack = new CommandAck("cmd-c", true, "water-heater", RelayState.OFF, null, NOW);
        assertThat(CommandAck.decode(ack.encode())).isEqualTo(ack);
        CommandAck unknown = new CommandAck("cmd-c", false, "sauna", null, "unknown-circuit: no circuit sauna", NOW);
        assertThat(CommandAck.decode(unknown.encode())).isEqualTo(unknown);
        assertThatThrownBy(() -> CommandAck.decode("{\"commandId\":\"c\",\"ok\":true,\"ts\":\"2026-11-29T17:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(InvalidPayloadException.class);
        CommandAck supply = new CommandAck("cmd-r", true, RelayState.ON, null, NOW);
        assertThat(new String(supply.encode(), StandardCharsets.UTF_8)).doesNotContain("circuit");
    }
}
