package dev.ims.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ims.bridge.P1Port.Setting;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The P1 options of {@code firmware-bridge}: speed and format (auto or fixed) and where the Smarty key comes from. */
class BridgeMainP1OptionsTest {

    private static BridgeMain parsed(String... args) {
        BridgeMain main = new BridgeMain();
        new CommandLine(main).parseArgs(args);
        return main;
    }

    @Test
    void byDefault_speedAndFormatAreDetected_andTelegramsArePlain() {
        P1Source.Options o = parsed().p1Options(Map.of());
        assertThat(o.candidates()).containsExactly(Setting.DSMR4, Setting.DSMR22);
        assertThat(o.cipher()).isNull();
        assertThat(o.detectionWindow()).isEqualTo(P1Source.Options.DEFAULT_DETECTION_WINDOW);
        assertThat(o.backoff()).isEqualTo(P1Source.Options.DEFAULT_BACKOFF);
    }

    @Test
    void anOldMeter_isFixedWithBaudAndFormat() {
        assertThat(parsed("--p1-baud", "9600", "--p1-format", "7e1").p1Options(Map.of()).candidates()).containsExactly(Setting.DSMR22);
    }

    @Test
    void aWrongBaudOrFormat_isAParameterError() {
        assertThatThrownBy(() -> parsed("--p1-baud", "fast").p1Options(Map.of())).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--p1-baud");
        assertThatThrownBy(() -> parsed("--p1-format", "7X1").p1Options(Map.of())).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--p1-format");
    }

    @Test
    void theKey_comesFromTheOption_elseTheFile_elseTheEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p1.key");
        Files.writeString(file, SmartyFrames.KEY + "\n");
        byte[] frame = SmartyFrames.encrypt(SmartyFrames.KEY, 1, P1Corpus.load("smarty").bytes());
        String other = "00000000000000000000000000000001";

        assertThat(parsed("--p1-key-file", file.toString()).p1Options(Map.of("IMS_P1_KEY", other)).cipher().decrypt(frame))
                .as("the file before the environment").startsWith("/Lux5");
        assertThat(parsed().p1Options(Map.of("IMS_P1_KEY", SmartyFrames.KEY)).cipher().decrypt(frame)).startsWith("/Lux5");
        assertThatThrownBy(() -> parsed("--p1-key", other, "--p1-key-file", file.toString()).p1Options(Map.of()).cipher().decrypt(frame))
                .as("the option before the file").isInstanceOf(P1Rejection.RejectedException.class);
    }

    @Test
    void aMalformedKey_namesWhereItCameFrom_butNotTheKey(@TempDir Path dir) {
        assertThatThrownBy(() -> parsed().p1Options(Map.of("IMS_P1_KEY", "AEBD21B769A6D13C"))).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("IMS_P1_KEY").hasMessageContaining("32 hex digits").hasMessageNotContaining("AEBD21B7");
        assertThatThrownBy(() -> parsed("--p1-key-file", dir.resolve("missing").toString()).p1Options(Map.of()))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("--p1-key-file");
    }
}
