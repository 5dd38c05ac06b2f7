package dev.ims.embedded.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A main class of the test's classpath run in its own JVM, so that a test can kill it the hard way
 * ({@code kill -9}: no shutdown hook, no flush, no goodbye to the broker). Its output is copied to a log
 * file and watched for a readiness line.
 */
public final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ChildJvm(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code mainClass} with {@code args} and {@code env} added to this JVM's environment, and waits
     * until a line of its output contains {@code readyMarker}.
     *
     * @throws IllegalStateException when it exits or stays silent for {@code timeout}
     */
    public static ChildJvm start(String mainClass, List<String> args, Map<String, String> env, Path log, String readyMarker,
            Duration timeout) throws IOException, InterruptedException {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(javaBin, "-Xmx512m", "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        CountDownLatch ready = new CountDownLatch(1);
        AtomicReference<String> last = new AtomicReference<>("");
        Thread pump = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    var out = java.nio.file.Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                            java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                String line;
                while ((line = in.readLine()) != null) {
                    out.write(line);
                    out.newLine();
                    out.flush();
                    last.set(line);
                    if (line.contains(readyMarker)) {
                        ready.countDown();
                    }
                }
            } catch (IOException ignored) {
                // the child died: that is what some tests do to it
            }
        }, "child-output");
        pump.setDaemon(true);
        pump.start();
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(mainClass + " not ready within " + timeout + "; last output: " + last.get() + " (log " + log + ")");
        }
        return new ChildJvm(p, log);
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Waits for the process to end on its own; its exit code, or null if it is still running after {@code timeout}. */
    public Integer waitForExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /** A polite stop (SIGTERM), then a hard one if it lingers. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill9();
        }
    }
}
