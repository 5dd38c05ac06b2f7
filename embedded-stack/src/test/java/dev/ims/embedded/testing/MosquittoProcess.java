package dev.ims.embedded.testing;

import dev.ims.client.dynsec.DynsecAccounts;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.model.security.BrokerAccounts;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.Credential;
import dev.ims.model.security.DynsecConfig;
import dev.ims.model.security.Role;
import dev.ims.model.security.Secrets;
import dev.ims.model.topic.Topics;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Mosquitto process with the project's {@code mosquitto.conf} (queue limits off, persistence on, anonymous
 * clients refused, the dynamic-security plugin), on a given port and data folder. At start it writes the plugin's
 * file with a random admin credential; the identities a test needs are created at runtime through
 * {@code $CONTROL/dynamic-security/v1} ({@link #accounts()}), each with a random secret unless given, and are kept
 * across {@link #restart()} (the plugin saves them). Mandatory in CI ({@code CI=true}): a missing binary or plugin
 * fails there; elsewhere the calling suite is skipped. Used from one test thread.
 */
public final class MosquittoProcess implements AutoCloseable {

    /** How often the test broker publishes its {@code $SYS} figures. */
    public static final int SYS_INTERVAL_SECONDS = 1;

    public static final Path BINARY = Path.of("/usr/sbin/mosquitto");
    /** Where the plugin may be: Debian's package, the eclipse-mosquitto image. */
    public static final List<Path> PLUGINS = List.of(Path.of("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so"),
            Path.of("/usr/lib/mosquitto_dynamic_security.so"));
    private static final String PROJECT_PLUGIN_LINE = "plugin /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
    private static final String PROJECT_CONFIG_FILE_LINE = "plugin_opt_config_file ./data/mosquitto/dynamic-security.json";
    private static final Duration OPERATION_TIMEOUT = Duration.ofSeconds(15);

    private final int port;
    private final Path dir;
    private final BrokerRights rights = new BrokerRights(Topics.defaults(), ImsSettings.DEFAULT_INGEST_GROUP);
    private final Credential admin = new Credential("ims-dynsec-admin", Secrets.newSecret());
    private Process process;
    private DynsecAccounts accounts;

    private MosquittoProcess(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    /** Fails in CI, skips elsewhere, when Mosquitto or its dynamic-security plugin is not installed. */
    public static void requireOrSkip() {
        boolean present = Files.isExecutable(BINARY) && PLUGINS.stream().anyMatch(Files::isRegularFile);
        if (!present && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI needs Mosquitto at " + BINARY + " with its dynamic-security plugin (apt-get install mosquitto)");
        }
        Assumptions.assumeTrue(present, "Mosquitto with its dynamic-security plugin is not installed (apt-get install mosquitto): skipping");
    }

    /**
     * @param projectConf the project's mosquitto.conf, whose listener, persistence folder, plugin path and plugin file are
     *     replaced (the file goes to {@code dir/dynamic-security.json})
     */
    public static MosquittoProcess start(Path projectConf, int port, Path dir) throws IOException {
        return start(projectConf, port, dir, null);
    }

    /**
     * As {@link #start(Path, int, Path)}, but with a dynamic-security file written elsewhere (e.g. by
     * {@code ./ims mosquitto-init}), copied to {@code dir/dynamic-security.json}. This process's own {@link #admin()}
     * is then unknown to the broker: use the file's identities.
     */
    public static MosquittoProcess startWithDynsecFile(Path projectConf, int port, Path dir, Path dynsecFile) throws IOException {
        return start(projectConf, port, dir, dynsecFile);
    }

    private static MosquittoProcess start(Path projectConf, int port, Path dir, Path givenDynsec) throws IOException {
        requireOrSkip();
        MosquittoProcess m = new MosquittoProcess(port, dir);
        String original = Files.readString(projectConf);
        for (String required : List.of("listener 1883", "persistence_location ./data/mosquitto/", PROJECT_PLUGIN_LINE, PROJECT_CONFIG_FILE_LINE)) {
            if (!original.contains(required)) {
                throw new IllegalStateException(projectConf + " no longer has '" + required + "': update MosquittoProcess");
            }
        }
        Path plugin = PLUGINS.stream().filter(Files::isRegularFile).findFirst().orElseThrow();
        Path dynsec = dir.resolve("dynamic-security.json");
        String conf = original
                .replace("listener 1883", "listener " + port + " 127.0.0.1")
                .replace("persistence_location ./data/mosquitto/", "persistence_location " + dir.resolve("mosquitto") + "/")
                .replace(PROJECT_PLUGIN_LINE, "plugin " + plugin)
                .replace(PROJECT_CONFIG_FILE_LINE, "plugin_opt_config_file " + dynsec)
                // Run as root, Mosquitto switches to the account "mosquitto", which cannot write this test's folders
                // (the plugin saves its file, persistence its database): stay the account that runs the test.
                + "\nuser " + System.getProperty("user.name") + "\n"
                // $SYS figures every second rather than every 10 s: tests of the broker monitor wait for them.
                + "sys_interval " + SYS_INTERVAL_SECONDS + "\n";
        Files.createDirectories(dir.resolve("mosquitto"));
        Files.writeString(dir.resolve("mosquitto.conf"), conf);
        if (givenDynsec == null) {
            new DynsecConfig(m.rights).write(dynsec, m.admin, List.of());
        } else {
            Files.copy(givenDynsec, dynsec, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        m.launch();
        return m;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** The plugin's admin: may only publish and subscribe on {@code $CONTROL/dynamic-security/#}. */
    public Credential admin() {
        return admin;
    }

    /** A new ingest instance's identity (role {@code ims-ingest}), with a random secret. */
    public Credential ingest(String name) {
        return service(name, Role.INGEST);
    }

    /** A new portal instance's identity (role {@code ims-portal}), with a random secret. */
    public Credential portal(String name) {
        return service(name, Role.PORTAL);
    }

    /** A new monitoring identity (role {@code ims-monitor}: {@code $SYS/#} only), with a random secret. */
    public Credential monitor(String name) {
        return service(name, Role.MONITOR);
    }

    /** Registers {@code meterId} with a new random secret (again: replaces the secret and closes its connection). */
    public Credential meter(String meterId) {
        return meter(meterId, Secrets.newSecret());
    }

    /** Registers {@code meterId} with the secret the meter generated itself. */
    public Credential meter(String meterId, String secret) {
        await(accounts().register(meterId, secret));
        return new Credential(meterId, secret);
    }

    /** Disables {@code meterId}'s client: its connection is closed and it cannot connect again. */
    public void revokeMeter(String meterId) {
        await(accounts().revoke(meterId));
    }

    /** Enrolment and revocation on this broker: a {@link DynsecAccounts} as {@link #admin()}, closed with this. */
    public BrokerAccounts accounts() {
        if (accounts == null) {
            accounts = new DynsecAccounts(ImsSettings.load(Map.of(), Map.of()), MqttEndpoint.parse(url()), admin, rights);
        }
        return accounts;
    }

    /** Stops it (SIGTERM) and leaves it stopped until {@link #startAgain()}: a broker outage. */
    public void stopForNow() throws InterruptedException {
        stop();
    }

    /** Starts it again after {@link #stopForNow()}, on the same port and data. */
    public void startAgain() throws IOException {
        launch();
    }

    /** Stops it (SIGTERM: it saves its persistence file) and starts it again on the same port and data. */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    private Credential service(String name, Role role) {
        DynsecConfig.ServiceClient client = new DynsecConfig.ServiceClient(name, Secrets.newSecret(), role);
        accounts();
        await(accounts.registerService(client));
        return client.credential();
    }

    private static void await(CompletionStage<Void> stage) {
        try {
            stage.toCompletableFuture().get(OPERATION_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("dynamic security did not do it: " + e, e);
        }
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(BINARY.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("mosquitto.log").toFile())).start();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(this::listening);
    }

    private void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
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
        if (accounts != null) {
            accounts.close();
        }
        stop();
    }
}
