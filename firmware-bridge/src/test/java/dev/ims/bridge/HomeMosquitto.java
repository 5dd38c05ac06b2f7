package dev.ims.bridge;

import dev.ims.embedded.testing.MosquittoProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A household's own Mosquitto, as Home Assistant's Mosquitto add-on runs it: one user with a password, no anonymous
 * clients, no persistence (a restart forgets every retained message, so what is there afterwards was sent again). On a
 * free port that it keeps across {@link #stop()} and {@link #start()}. Skips (fails in CI) without Mosquitto, as
 * {@link MosquittoProcess} does.
 */
final class HomeMosquitto implements AutoCloseable {

    private final Path dir;
    private final int port;
    private Process process;

    private HomeMosquitto(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static HomeMosquitto start(Path dir, String user, String password) throws IOException, InterruptedException {
        MosquittoProcess.requireOrSkip();
        Files.createDirectories(dir);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path passwords = dir.resolve("passwords");
        Process p = new ProcessBuilder("mosquitto_passwd", "-b", "-c", passwords.toString(), user, password).redirectErrorStream(true).start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("mosquitto_passwd failed: " + new String(p.getInputStream().readAllBytes()));
        }
        Files.writeString(dir.resolve("mosquitto.conf"), String.join("\n",
                "listener " + port + " 127.0.0.1",
                "allow_anonymous false",
                "password_file " + passwords,
                "persistence false",
                "log_type error",
                "log_type warning",
                "log_type notice",
                "log_type information",
                "connection_messages true",
                "user " + System.getProperty("user.name"),
                ""));
        HomeMosquitto m = new HomeMosquitto(dir, port);
        m.start();
        return m;
    }

    int port() {
        return port;
    }

    String url() {
        return "mqtt://127.0.0.1:" + port;
    }

    /** What Mosquitto logged so far (connections, refusals). */
    String log() throws IOException {
        Path log = dir.resolve("mosquitto.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    void start() throws IOException {
        process = new ProcessBuilder(MosquittoProcess.BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::listening);
    }

    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    private boolean listening() {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
