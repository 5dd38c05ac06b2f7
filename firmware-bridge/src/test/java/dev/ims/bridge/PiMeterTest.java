package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import dev.ims.client.meter.MeterState;
import dev.ims.client.meter.MeterStateFile;
import dev.ims.model.reading.Reading;
import dev.ims.model.reading.RelayState;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bridge's meter on Pi4J's mock GPIO: pulses become the register and power, the relay pin follows commands. */
class PiMeterTest {

    @TempDir
    Path dir;

    Context pi4j;

    @BeforeEach
    void gpio() {
        pi4j = BridgeMain.mockContext();
    }

    @AfterEach
    void shutdown() {
        pi4j.shutdown();
    }

    @Test
    void pulses_becomeTheRegister_andThePowerOverTheInterval_andTheStateSurvivesARestart() {
        Path file = dir.resolve("meter.json");
        MeterState fresh = MeterState.newMeter(1234.5, null);
        S0Counter s0 = new S0Counter(pi4j, 17, false, 5_000);
        PiMeter meter = new PiMeter(file, fresh, new S0Source(s0, 1_000), new RelayOutput(pi4j, 27, false, -1, RelayState.ON));
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        Reading first = meter.read(t0);
        assertThat(first.energyKwh()).isEqualTo(1234.5);
        assertThat(first.powerW()).isNull();
        pulse(17, 250);
        Reading second = meter.read(t0.plusSeconds(60));
        // 250 pulses at 1000 imp/kWh = 0.25 kWh in one minute: 15 kW on average.
        assertThat(second.energyKwh()).isEqualTo(1234.75);
        assertThat(second.powerW()).isEqualTo(15_000.0);
        assertThat(second.seq()).isEqualTo(first.seq() + 1);
        assertThat(second.relay()).isEqualTo(RelayState.ON);

        MeterState saved = MeterStateFile.load(file);
        assertThat(saved.nextSeq()).isEqualTo(second.seq() + 1);
        assertThat(saved.energyKwh()).isEqualTo(1234.75);
        s0.close();
        S0Counter again = new S0Counter(pi4j, 22, false, 5_000);
        PiMeter restarted = new PiMeter(file, saved, new S0Source(again, 1_000), new RelayOutput(pi4j, 23, false, -1, RelayState.ON));
        pulse(22, 10);
        Reading third = restarted.read(t0.plusSeconds(120));
        assertThat(third.seq()).isEqualTo(second.seq() + 1);
        assertThat(third.energyKwh()).isEqualTo(1234.76);
        assertThat(third.powerW()).isEqualTo(600.0);
    }

    @Test
    void relay_drivesThePin_activeHighOrLow_andReportsWhatItMeasures() {
        RelayOutput high = new RelayOutput(pi4j, 5, false, -1, RelayState.ON);
        assertThat(output(5).state()).isEqualTo(DigitalState.HIGH);
        assertThat(high.switchTo(RelayState.OFF)).isEqualTo(RelayState.OFF);
        assertThat(output(5).state()).isEqualTo(DigitalState.LOW);

        RelayOutput low = new RelayOutput(pi4j, 6, true, -1, RelayState.ON);
        assertThat(output(6).state()).isEqualTo(DigitalState.LOW);
        assertThat(low.switchTo(RelayState.OFF)).isEqualTo(RelayState.OFF);
        assertThat(output(6).state()).isEqualTo(DigitalState.HIGH);
    }

    @Test
    void withAFeedbackInput_theRelayReportsTheSupplyAsSensed_notAsCommanded() {
        RelayOutput relay = new RelayOutput(pi4j, 12, false, 13, RelayState.ON);
        MockDigitalInput feedback = pi4j.io("relay-feedback-13");
        feedback.mockState(DigitalState.HIGH);
        assertThat(relay.state()).isEqualTo(RelayState.ON);
        // A welded contact: the pin goes LOW, the supply stays on, and the meter says so.
        assertThat(relay.switchTo(RelayState.OFF)).isEqualTo(RelayState.ON);
        assertThat(output(12).state()).isEqualTo(DigitalState.LOW);
        feedback.mockState(DigitalState.LOW);
        assertThat(relay.state()).isEqualTo(RelayState.OFF);
    }

    @Test
    void relaySwitchedOff_staysOffWhenPi4jShutsDown_notBackToTheStartUpState() {
        RelayOutput relay = new RelayOutput(pi4j, 7, false, -1, RelayState.ON);
        DigitalOutput pin = output(7);
        relay.switchTo(RelayState.OFF);
        pi4j.shutdown();
        assertThat(pin.state()).isEqualTo(DigitalState.LOW);
        pi4j = BridgeMain.mockContext();
    }

    @Test
    void relayNeverSwitched_keepsItsStartUpStateWhenPi4jShutsDown() {
        new RelayOutput(pi4j, 8, true, -1, RelayState.OFF);
        DigitalOutput pin = output(8);
        pi4j.shutdown();
        assertThat(pin.state()).as("active low: OFF is HIGH").isEqualTo(DigitalState.HIGH);
        pi4j = BridgeMain.mockContext();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "relay {0}, safe state {1}: {2} after shutdown")
    @org.junit.jupiter.params.provider.CsvSource({"ON, OFF, LOW", "OFF, ON, HIGH", "OFF, OFF, LOW", "ON, ON, HIGH"})
    void withASafeState_theRelayIsDrivenToIt_whenPi4jShutsDown(RelayState current, RelayState safe, DigitalState expected) {
        RelayOutput relay = new RelayOutput(pi4j, 9, false, -1, RelayState.ON, safe);
        DigitalOutput pin = output(9);
        relay.switchTo(current);
        pi4j.shutdown();
        assertThat(pin.state()).isEqualTo(expected);
        pi4j = BridgeMain.mockContext();
    }

    @Test
    void switchRelay_savesTheCommandedStateBeforeThePinChanges_andReadingsKeepIt_evenWhenTheFeedbackDisagrees() {
        Path file = dir.resolve("meter.json");
        RelayOutput relay = new RelayOutput(pi4j, 24, false, 25, RelayState.ON);
        MockDigitalInput feedback = pi4j.io("relay-feedback-25");
        feedback.mockState(DigitalState.HIGH);
        S0Counter s0 = new S0Counter(pi4j, 26, false, 5_000);
        PiMeter meter = new PiMeter(file, MeterState.newMeter(10, null), new S0Source(s0, 1_000), relay);
        // A welded contact: commanded OFF, the supply stays on.
        assertThat(meter.switchRelay(RelayState.OFF)).isEqualTo(RelayState.ON);
        assertThat(MeterStateFile.load(file).relay()).isEqualTo(RelayState.OFF);
        Reading r = meter.read(Instant.parse("2026-11-25T10:00:00Z"));
        assertThat(r.relay()).as("readings say what the supply does").isEqualTo(RelayState.ON);
        assertThat(MeterStateFile.load(file).relay()).as("the next start drives OFF again").isEqualTo(RelayState.OFF);
    }

    @Test
    void switchRelay_whenTheStateCannotBeSaved_leavesThePinAlone() throws Exception {
        Path file = dir.resolve("not-a-folder").resolve("meter.json");
        java.nio.file.Files.writeString(dir.resolve("not-a-folder"), "a file where the folder should be");
        RelayOutput relay = new RelayOutput(pi4j, 4, false, -1, RelayState.ON);
        PiMeter meter = new PiMeter(file, MeterState.newMeter(10, null), new S0Source(new S0Counter(pi4j, 3, false, 5_000), 1_000), relay);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> meter.switchRelay(RelayState.OFF)).isInstanceOf(java.io.UncheckedIOException.class);
        assertThat(output(4).state()).isEqualTo(DigitalState.HIGH);
    }

    @Test
    void options_relaySafeStateAndMinSwitchInterval_parseAsDocumented() {
        BridgeMain main = new BridgeMain();
        new picocli.CommandLine(main).parseArgs("--relay-safe-state", "OFF", "--min-switch-interval", "90s");
        assertThat(main.relaySafeState).isEqualTo(RelayState.OFF);
        assertThat(main.minSwitchInterval).isEqualTo(java.time.Duration.ofSeconds(90));
        BridgeMain defaults = new BridgeMain();
        new picocli.CommandLine(defaults).parseArgs();
        assertThat(defaults.relaySafeState).isNull();
        assertThat(defaults.minSwitchInterval).isEqualTo(java.time.Duration.ofSeconds(60));
    }

    private void pulse(int pin, int n) {
        MockDigitalInput input = pi4j.io("s0-" + pin);
        for (int i = 0; i < n; i++) {
            input.mockState(DigitalState.HIGH);
            input.mockState(DigitalState.LOW);
        }
    }

    private DigitalOutput output(int pin) {
        return pi4j.io("relay-" + pin);
    }

    /** A meter's own register (P1, Modbus) as a source that answers what the test says; export only when set. */
    private static final class GivenRegister implements EnergySource {
        volatile double kwh;
        volatile Double exportKwh;
        volatile Double exportPowerW;

        @Override
        public Measurement measure(Instant now, double lastKwh, Instant lastTs) {
            return new Measurement(kwh, exportPowerW == null ? null : 0.0, null, null, exportKwh, exportPowerW);
        }

        @Override
        public void close() {}
    }

    @Test
    void aRegisterLowerThanTheLastPublished_orJumpingBeyondAnyConnection_isNeverPublished_alsoAfterARestart() {
        Path file = dir.resolve("meter.json");
        GivenRegister source = new GivenRegister();
        RelayOutput relay = new RelayOutput(pi4j, 27, false, -1, RelayState.ON);
        PiMeter meter = new PiMeter(file, MeterState.newMeter(0, null), source, relay);
        Instant t0 = Instant.parse("2026-11-25T10:00:00Z");
        source.kwh = 5017.12;
        assertThat(meter.read(t0).energyKwh()).as("the first register is the meter's own, whatever it is").isEqualTo(5017.12);
        source.kwh = 5017.0;
        assertThat(meter.read(t0.plusSeconds(10))).as("backwards").isNull();
        source.kwh = 6_545_766.0;
        assertThat(meter.read(t0.plusSeconds(20))).as("a Wh value taken for kWh: far beyond 100 kW for 20 s").isNull();
        assertThat(meter.refusedRegisters()).isEqualTo(2);
        source.kwh = 5017.2;
        Reading next = meter.read(t0.plusSeconds(30));
        assertThat(next.energyKwh()).isEqualTo(5017.2);
        assertThat(next.seq()).as("refused measurements use no seq").isEqualTo(1);

        // After a restart the bridge resumes from its state file: a lower register is still refused.
        PiMeter again = new PiMeter(file, MeterStateFile.load(file), source, relay);
        source.kwh = 5017.1;
        assertThat(again.read(t0.plusSeconds(40))).isNull();
        source.kwh = 5017.3;
        assertThat(again.read(t0.plusSeconds(50)).energyKwh()).isEqualTo(5017.3);
    }

    @Test
    void exportRegisterAndPower_arePublished_andSaved() {
        Path file = dir.resolve("meter.json");
        GivenRegister source = new GivenRegister();
        PiMeter meter = new PiMeter(file, MeterState.newMeter(0, null), source, new RelayOutput(pi4j, 27, false, -1, RelayState.ON));
        Instant t0 = Instant.parse("2026-06-21T11:00:00Z");
        source.kwh = 812.4;
        source.exportKwh = 1530.25;
        source.exportPowerW = 2840.0;
        Reading r = meter.read(t0);
        assertThat(r.exportKwh()).isEqualTo(1530.25);
        assertThat(r.exportPowerW()).isEqualTo(2840.0);
        assertThat(r.powerW()).isZero();
        assertThat(MeterStateFile.load(file).exportKwh()).isEqualTo(1530.25);
    }

    @Test
    void sourceWithoutExport_publishesNone_andSavesNone() {
        Path file = dir.resolve("meter.json");
        GivenRegister source = new GivenRegister();
        PiMeter meter = new PiMeter(file, MeterState.newMeter(0, null), source, new RelayOutput(pi4j, 27, false, -1, RelayState.ON));
        source.kwh = 812.4;
        Reading r = meter.read(Instant.parse("2026-06-21T11:00:00Z"));
        assertThat(r.exportKwh()).isNull();
        assertThat(r.exportPowerW()).isNull();
        assertThat(MeterStateFile.load(file).exportKwh()).isNull();
    }

    @Test
    void anExportRegisterLowerThanTheLastPublished_orJumpingBeyondAnyConnection_isNeverPublished_alsoAfterARestart() {
        Path file = dir.resolve("meter.json");
        GivenRegister source = new GivenRegister();
        RelayOutput relay = new RelayOutput(pi4j, 27, false, -1, RelayState.ON);
        PiMeter meter = new PiMeter(file, MeterState.newMeter(0, null), source, relay);
        Instant t0 = Instant.parse("2026-06-21T11:00:00Z");
        source.kwh = 812.4;
        source.exportKwh = 1530.25;
        source.exportPowerW = 2000.0;
        assertThat(meter.read(t0).exportKwh()).as("the first export register is the meter's own").isEqualTo(1530.25);
        source.exportKwh = 1530.2;
        assertThat(meter.read(t0.plusSeconds(10))).as("export backwards, import fine").isNull();
        source.exportKwh = 1_530_250.0;
        assertThat(meter.read(t0.plusSeconds(20))).as("a Wh value taken for kWh: far beyond 100 kW for 20 s").isNull();
        assertThat(meter.refusedRegisters()).isEqualTo(2);
        source.exportKwh = 1530.26;
        Reading next = meter.read(t0.plusSeconds(30));
        assertThat(next.exportKwh()).isEqualTo(1530.26);
        assertThat(next.seq()).as("refused measurements use no seq").isEqualTo(1);

        // A telegram without the export register: published without it, the last one kept for the guard.
        source.exportKwh = null;
        source.exportPowerW = null;
        Reading without = meter.read(t0.plusSeconds(40));
        assertThat(without.exportKwh()).isNull();
        assertThat(MeterStateFile.load(file).exportKwh()).isEqualTo(1530.26);

        // After a restart the bridge resumes from its state file: a lower export register is still refused.
        PiMeter again = new PiMeter(file, MeterStateFile.load(file), source, relay);
        source.exportKwh = 1530.0;
        source.exportPowerW = 500.0;
        assertThat(again.read(t0.plusSeconds(50))).isNull();
        assertThat(again.refusedRegisters()).isEqualTo(1);
        source.exportKwh = 1530.27;
        Reading resumed = again.read(t0.plusSeconds(60));
        assertThat(resumed.exportKwh()).isEqualTo(1530.27);
        assertThat(resumed.exportPowerW()).isEqualTo(500.0);
        assertThat(resumed.seq()).isEqualTo(without.seq() + 1);
    }

    @Test
    void p1Telegram_withExport_isPublishedWithTheExportRegisterAndPower() {
        String telegram = P1TelegramTest.signed(P1TelegramTest.BODY
                .replace("1-0:2.8.1(000000.000*kWh)", "1-0:2.8.1(000123.456*kWh)")
                .replace("1-0:2.8.2(000000.000*kWh)", "1-0:2.8.2(000200.000*kWh)")
                .replace("1-0:1.7.0(01.234*kW)", "1-0:1.7.0(00.000*kW)")
                .replace("1-0:2.7.0(00.000*kW)", "1-0:2.7.0(02.345*kW)"));
        SimulatedP1Port port = new SimulatedP1Port(P1Port.Setting.DSMR4, true);
        port.send(telegram.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        try (P1Source p1 = P1Source.start(port, new P1Source.Options(115_200, SerialFormat.F8N1, null, P1Source.Options.DEFAULT_DETECTION_WINDOW,
                P1Source.Options.DEFAULT_BACKOFF), java.time.Clock.systemUTC())) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> p1.counters().get("telegrams.valid") == 1);
            PiMeter meter = new PiMeter(dir.resolve("meter.json"), MeterState.newMeter(0, null), p1,
                    new RelayOutput(pi4j, 27, false, -1, RelayState.ON));
            Reading r = meter.read(Instant.now());
            assertThat(r.exportKwh()).isEqualTo(323.456);
            assertThat(r.exportPowerW()).isEqualTo(2345.0);
            assertThat(r.powerW()).isZero();
        }
    }
}
