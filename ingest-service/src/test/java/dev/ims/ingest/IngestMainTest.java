package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The standalone ingest's start-up checks, before it connects to anything. */
class IngestMainTest {

    @TempDir
    Path dir;

    @Test
    void withoutABrokerIdentity_exitsNonZero_sayingWhatToSet() {
        Run run = run("--client-id", "ingest-a");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("cannot start").contains("no broker identity for 'ingest-a'").contains("MQTT_USERNAME")
                .contains(dir.resolve("identities").resolve("ingest-a.json").toString());
    }

    @Test
    void withAUsernameThatIsNotTheClientId_exitsNonZero_namingBoth() {
        Run run = run("--client-id", "ingest-a", "--mqtt-username", "ingest-b", "--mqtt-password", "secret");
        assertThat(run.exitCode).isEqualTo(2);
        assertThat(run.err).contains("'ingest-b'").contains("'ingest-a'");
    }

    private record Run(int exitCode, String err) {}

    private Run run(String... extra) {
        // Unreachable on purpose: the identity is checked before anything is connected.
        List<String> args = new ArrayList<>(List.of("--mqtt-url", "tcp://127.0.0.1:1", "--mongo-uri", "mongodb://127.0.0.1:1",
                "--data-dir", dir.toString(), "--metrics-port", "0"));
        args.addAll(List.of(extra));
        PrintStream before = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new IngestMain()).execute(args.toArray(String[]::new));
            return new Run(code, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(before);
        }
    }
}
