package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.embedded.FreePorts;
import dev.ims.embedded.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge as systemd runs it, in its own JVM, on a P1 device that never gives a telegram (it does not exist: the
 * cable is unplugged): it keeps trying to open the port, reports the silence, and after {@code --exit-after-silence}
 * exits with code 4 by itself, so that {@code Restart=always} starts it afresh; it never lingers without data.
 */
class BridgeSilenceExitIT {

    @TempDir
    Path dir;

    @Test
    void aMeterThatGivesNothing_makesTheBridgeExitWithCode4_afterTheConfiguredSilence() throws Exception {
        Path log = dir.resolve("bridge.log");
        int nobody = FreePorts.resolve(0); // no broker there either: readings would wait in the outbox
        try (ChildJvm bridge = ChildJvm.start("dev.ims.bridge.BridgeMain", List.of("--mock", "--mqtt-url", "tcp://127.0.0.1:" + nobody,
                "--state-file", dir.resolve("meter.json").toString(), "--source", "p1", "--p1-device", dir.resolve("ttyUSB-gone").toString(),
                "--interval-seconds", "1", "--silent-after", "2s", "--exit-after-silence", "5s"), Map.of("IMS_DATA_DIR", dir.toString()),
                log, "Bridge for meter", Duration.ofSeconds(60))) {
            Integer code = bridge.waitForExit(Duration.ofSeconds(60));
            String out = Files.readString(log);
            assertThat(code).as(out).isEqualTo(Bridge.EXIT_SOURCE_SILENT);
            assertThat(out).contains("No data from").contains("exits so that its service manager restarts it");
            assertThat(out.lines().filter(l -> l.contains("No data from") && l.contains("WARN")).count()).as("silence logged once").isEqualTo(1);
        }
    }
}
