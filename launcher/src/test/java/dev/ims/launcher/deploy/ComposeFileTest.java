package dev.ims.launcher.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ims.client.enrol.EnrolmentSettings;
import dev.ims.ingest.IngestSettings;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.MqttEndpoint;
import dev.ims.portal.PortalSettings;
import dev.ims.portal.command.CommandPublisher;
import dev.ims.portal.device.BrokerAccountsChoice;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The top-level {@code docker-compose.yml} checked against the code, without a Docker engine: every variable a service
 * is given is one its code reads, the ports agree with the contract and with each other, two ingest instances share
 * the group under their own client IDs and identities, MongoDB's replica set is initialised, Mosquitto runs the
 * repository's mosquitto.conf, every Dockerfile and module exists, no secret is written in the file; and Debian's
 * {@code docker-compose} (1.29) validates the file, mandatory in CI. Each check has a negative neighbour: the same
 * check on a copy of the file with one fault in it.
 */
class ComposeFileTest {

    static final Path COMPOSE = ComposeFile.ROOT.resolve("docker-compose.yml");

    /**
     * The environment variables each runnable module reads, as its settings classes publish them: the contract's
     * (ImsSettings) for all, plus the module's own. A module's variable without such a constant is not known here, so
     * the file cannot give it (publish the constant first).
     */
    static final Map<String, Set<String>> VARIABLES_READ = Map.of(
            "ingest-service", ComposeFile.variablesOf(ImsSettings.class),
            "web-portal", ComposeFile.variablesOf(ImsSettings.class, PortalSettings.class, BrokerAccountsChoice.class),
            "device-agent", ComposeFile.variablesOf(ImsSettings.class, EnrolmentSettings.class),
            "launcher", ComposeFile.variablesOf(ImsSettings.class));

    static ComposeFile compose;

    @BeforeAll
    static void read() throws IOException {
        compose = ComposeFile.read(COMPOSE);
    }

    // ---- environment ------------------------------------------------------------------------------------------

    @Test
    void everyVariableGivenToAService_isOneItsCodeReads() {
        assertThat(unknownVariables(compose)).isEmpty();
        assertThat(compose.servicesOf("ingest-service")).isNotEmpty();
        assertThat(compose.servicesOf("web-portal")).isNotEmpty();
        assertThat(compose.servicesOf("device-agent")).isNotEmpty();
    }

    @Test
    void aVariableNoCodeReads_isReported() {
        ComposeFile bad = compose.copy();
        ((ObjectNode) bad.service("ingest-2").path("environment")).put("INGEST_THREADS", "8");
        ((ObjectNode) bad.service("fleet").path("environment")).put("METRICS_TOKEN", "the portal's, not the fleet's");
        assertThat(unknownVariables(bad)).containsExactlyInAnyOrder("ingest-2: INGEST_THREADS", "fleet: METRICS_TOKEN");
    }

    static List<String> unknownVariables(ComposeFile c) {
        List<String> problems = new ArrayList<>();
        for (String service : c.serviceNames()) {
            Optional<String> module = c.module(service);
            if (module.isEmpty()) {
                continue; // a third-party image: its variables are its own (MongoDB's MONGO_INITDB_*)
            }
            Set<String> read = VARIABLES_READ.get(module.get());
            assertThat(read).as("module %s of service %s is not one the compose test knows", module.get(), service).isNotNull();
            for (String name : c.environment(service).keySet()) {
                if (!read.contains(name)) {
                    problems.add(service + ": " + name);
                }
            }
        }
        return problems;
    }

    @Test
    void noSecretIsWrittenInTheFile_onlyReferencedFromDotEnv() {
        assertThat(writtenSecrets(compose)).isEmpty();
    }

    @Test
    void aSecretWrittenInTheFile_isReported() {
        ComposeFile bad = compose.copy();
        ((ObjectNode) bad.service("portal").path("environment")).put("IMS_ADMIN_PASSWORD", "hunter2");
        ((ObjectNode) bad.service("ingest-1").path("environment")).put("MONGO_URI",
                "mongodb://ims:hunter2@mongodb:27017/?replicaSet=rs0&authSource=admin");
        assertThat(writtenSecrets(bad)).containsExactlyInAnyOrder("portal: IMS_ADMIN_PASSWORD", "ingest-1: MONGO_URI");
    }

    /** Variables that hold a secret (a password, token or key, or credentials in a URI) with a literal value. */
    static List<String> writtenSecrets(ComposeFile c) {
        Pattern secretName = Pattern.compile(".*(PASSWORD|TOKEN|SECRET)$|.*_KEY$");
        Pattern interpolatedOnly = Pattern.compile("\\$\\{[A-Z0-9_]+(:?[-?][^}]*)?}");
        List<String> problems = new ArrayList<>();
        for (String service : c.serviceNames()) {
            for (Map.Entry<String, String> e : c.environment(service).entrySet()) {
                String v = e.getValue() == null ? "" : e.getValue();
                if (secretName.matcher(e.getKey()).matches() && !v.isEmpty() && !interpolatedOnly.matcher(v).matches()) {
                    problems.add(service + ": " + e.getKey());
                }
                Matcher userInfo = Pattern.compile("^[a-z+]+://([^@/]*)@").matcher(v);
                if (userInfo.find() && !userInfo.group(1).matches("(\\$\\{[A-Z0-9_]+}:?)+")) {
                    problems.add(service + ": " + e.getKey());
                }
            }
        }
        return problems;
    }

    // ---- ports ------------------------------------------------------------------------------------------------

    @Test
    void ports_agreeWithTheContract_andWithEachOther() throws IOException {
        assertThat(portProblems(compose)).isEmpty();
    }

    @Test
    void aPortThatDisagrees_isReported() throws IOException {
        ComposeFile bad = compose.copy();
        ((ObjectNode) bad.service("portal").path("environment")).put("HTTP_PORT", "8081");
        ArrayNode command = (ArrayNode) bad.service("ingest-2").path("command");
        command.set(command.size() - 1, command.textNode("9465"));
        assertThat(portProblems(bad)).anyMatch(p -> p.startsWith("portal:")).anyMatch(p -> p.startsWith("ingest-2:"));
    }

    static List<String> portProblems(ComposeFile c) throws IOException {
        List<String> problems = new ArrayList<>();
        JsonNode prometheus = ComposeFile.readYaml(ComposeFile.ROOT.resolve("deploy/prometheus.yml"));
        Set<String> targets = new HashSet<>();
        prometheus.path("scrape_configs").forEach(job -> job.path("static_configs").forEach(sc -> sc.path("targets").forEach(t -> targets.add(t.asText()))));
        for (String portal : c.servicesOf("web-portal")) {
            String port = c.environment(portal).get(ImsSettings.HTTP_PORT);
            if (!String.valueOf(ImsSettings.DEFAULT_HTTP_PORT).equals(port)) {
                problems.add(portal + ": HTTP_PORT " + port + " is not the contract's " + ImsSettings.DEFAULT_HTTP_PORT);
            }
            if (!c.publishedContainerPorts(portal).contains(ImsSettings.DEFAULT_HTTP_PORT)) {
                problems.add(portal + ": does not publish its port " + ImsSettings.DEFAULT_HTTP_PORT);
            }
            if (!String.valueOf(port).equals(c.service(portal).path("build").path("args").path("HEALTH_PORT").asText())) {
                problems.add(portal + ": the image's health check is not on HTTP_PORT");
            }
            if (!"0.0.0.0".equals(c.environment(portal).get(ImsSettings.IMS_BIND_ADDRESS))) {
                problems.add(portal + ": IMS_BIND_ADDRESS must be 0.0.0.0 in a container (loopback is the container's own)");
            }
            if (!targets.contains(portal + ":" + port)) {
                problems.add(portal + ": Prometheus does not scrape " + portal + ":" + port);
            }
        }
        for (String ingest : c.servicesOf("ingest-service")) {
            String metrics = c.commandOption(ingest, "--metrics-port").orElse("9464");
            if (!metrics.equals(c.service(ingest).path("build").path("args").path("HEALTH_PORT").asText())) {
                problems.add(ingest + ": the image's health check is not on the metrics port " + metrics);
            }
            if (!targets.contains(ingest + ":" + metrics)) {
                problems.add(ingest + ": Prometheus does not scrape " + ingest + ":" + metrics);
            }
        }
        if (!c.publishedContainerPorts("mosquitto").contains(ImsSettings.DEFAULT_MQTT_PORT)) {
            problems.add("mosquitto: does not publish the contract's MQTT port " + ImsSettings.DEFAULT_MQTT_PORT);
        }
        if (!Files.readString(ComposeFile.ROOT.resolve("mosquitto.conf")).contains("\nlistener " + ImsSettings.DEFAULT_MQTT_PORT + "\n")) {
            problems.add("mosquitto.conf: does not listen on " + ImsSettings.DEFAULT_MQTT_PORT);
        }
        for (String service : c.serviceNames()) {
            Map<String, String> env = c.environment(service);
            if (env.containsKey(ImsSettings.MQTT_URL)) {
                MqttEndpoint e = MqttEndpoint.parse(env.get(ImsSettings.MQTT_URL));
                if (!"mosquitto".equals(e.host()) || e.port() != ImsSettings.DEFAULT_MQTT_PORT) {
                    problems.add(service + ": MQTT_URL is not mosquitto:" + ImsSettings.DEFAULT_MQTT_PORT);
                }
            }
            if (env.containsKey(ImsSettings.MONGO_URI) && !env.get(ImsSettings.MONGO_URI).contains("@mongodb:" + ImsSettings.DEFAULT_MONGO_PORT + "/")) {
                problems.add(service + ": MONGO_URI is not mongodb:" + ImsSettings.DEFAULT_MONGO_PORT);
            }
            if (env.containsKey(EnrolmentSettings.IMS_PORTAL_URL)) {
                URI portal = URI.create(env.get(EnrolmentSettings.IMS_PORTAL_URL));
                if (!c.servicesOf("web-portal").contains(portal.getHost()) || portal.getPort() != ImsSettings.DEFAULT_HTTP_PORT) {
                    problems.add(service + ": IMS_PORTAL_URL is not a portal service on " + ImsSettings.DEFAULT_HTTP_PORT);
                }
            }
        }
        return problems;
    }

    // ---- the ingest instances ---------------------------------------------------------------------------------

    @Test
    void twoIngestInstances_shareTheGroup_underTheirOwnClientIdsAndIdentities() {
        assertThat(compose.servicesOf("ingest-service")).hasSize(2);
        assertThat(ingestProblems(compose)).isEmpty();
    }

    @Test
    void ingestInstancesWithOneClientId_orWithoutTheirIdentity_areReported() {
        ComposeFile bad = compose.copy();
        ArrayNode command = (ArrayNode) bad.service("ingest-2").path("command");
        command.set(1, command.textNode("ims-ingest-1"));
        ((ObjectNode) bad.service("ingest-2").path("environment")).put(ImsSettings.INGEST_GROUP, "other-group");
        assertThat(ingestProblems(bad)).contains("client ID ims-ingest-1 is used twice",
                "ingest-2: INGEST_GROUP other-group is not the share group ims-ingest");
    }

    static List<String> ingestProblems(ComposeFile c) {
        List<String> problems = new ArrayList<>();
        Set<String> clientIds = new HashSet<>();
        List<String> initialised = c.list("mosquitto-init", "command");
        for (String ingest : c.servicesOf("ingest-service")) {
            Optional<String> clientId = c.commandOption(ingest, "--client-id");
            if (clientId.isEmpty()) {
                problems.add(ingest + ": no --client-id (the default depends on the container's host name)");
                continue;
            }
            if (!clientIds.add(clientId.get())) {
                problems.add("client ID " + clientId.get() + " is used twice");
            }
            String group = c.environment(ingest).getOrDefault(ImsSettings.INGEST_GROUP, ImsSettings.DEFAULT_INGEST_GROUP);
            if (!ImsSettings.DEFAULT_INGEST_GROUP.equals(group)) {
                problems.add(ingest + ": INGEST_GROUP " + group + " is not the share group " + ImsSettings.DEFAULT_INGEST_GROUP);
            }
            if (!initialised.contains(clientId.get())) {
                problems.add(ingest + ": mosquitto-init does not create the identity " + clientId.get());
            }
            // The identity file is IMS_DATA_DIR/identities/<client ID>.json: the volume the init service fills for it.
            String dataDir = c.environment(ingest).getOrDefault(ImsSettings.IMS_DATA_DIR, ImsSettings.DEFAULT_DATA_DIR);
            Optional<String> mine = c.volumeAt(ingest, dataDir + "/identities");
            Optional<String> filled = c.volumeAt("mosquitto-init", "/identities/" + clientId.get());
            if (mine.isEmpty() || !mine.equals(filled)) {
                problems.add(ingest + ": its identities volume is not the one mosquitto-init fills for " + clientId.get());
            }
        }
        // Each instance's backlog session has its own identity, <client ID>-backlog, installed beside the first.
        String script = initScript();
        if (!script.contains("\"/init/identities/$ingest" + IngestSettings.BACKLOG_SUFFIX + ".json\" \"/identities/$ingest/\"")) {
            problems.add("mosquitto-init does not give each ingest instance its backlog identity");
        }
        return problems;
    }

    private static String initScript() {
        try {
            return Files.readString(ComposeFile.ROOT.resolve("deploy/init-broker.sh"));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void thePortal_getsItsOwnAndTheAdminIdentity_andManagesMeterAccountsOnMosquitto() throws IOException {
        String script = Files.readString(ComposeFile.ROOT.resolve("deploy/init-broker.sh"));
        assertThat(compose.volumeAt("portal", "/data/identities")).isEqualTo(compose.volumeAt("mosquitto-init", "/identities/portal"));
        assertThat(script).contains("--portal " + CommandPublisher.PORTAL_IDENTITY)
                .contains("/init/identities/" + CommandPublisher.PORTAL_IDENTITY + ".json")
                .contains("/init/identities/" + BrokerAccountsChoice.ADMIN_IDENTITY + ".json");
        assertThat(compose.environment("portal")).containsEntry(BrokerAccountsChoice.MQTT_ACCOUNTS, "dynsec");
        // The fleet enrols with the key the portal writes.
        assertThat(compose.environment("fleet").get(EnrolmentSettings.IMS_PROVISIONING_KEY_FILE)).startsWith("/provisioning/");
        assertThat(compose.volumeAt("fleet", "/provisioning:ro").or(() -> compose.volumeAt("fleet", "/provisioning")))
                .isEqualTo(compose.volumeAt("portal", "/data/provisioning"));
        assertThat(compose.environment("portal").get(PortalSettings.IMS_PROVISIONING_KEY_FILE)).startsWith("/data/provisioning/");
    }

    // ---- MongoDB ----------------------------------------------------------------------------------------------

    @Test
    void mongoDb7_runsAReplicaSet_thatItsHealthCheckInitialises_andEveryServiceNames() throws IOException {
        assertThat(replicaSetProblems(compose)).isEmpty();
    }

    @Test
    void aMongoDbWithoutReplicaSet_isReported() throws IOException {
        ComposeFile bad = compose.copy();
        bad.service("mongodb").putArray("command").add("mongod").add("--bind_ip_all");
        ((ObjectNode) bad.service("portal").path("environment")).put(ImsSettings.MONGO_URI, "mongodb://${U}:${P}@mongodb:27017/");
        assertThat(replicaSetProblems(bad)).contains("mongodb: not started as replica set rs0", "portal: MONGO_URI does not name replicaSet=rs0");
    }

    static List<String> replicaSetProblems(ComposeFile c) throws IOException {
        List<String> problems = new ArrayList<>();
        ObjectNode mongo = c.service("mongodb");
        if (!mongo.path("image").asText().matches("mongo:7(\\..*)?")) {
            problems.add("mongodb: not MongoDB 7");
        }
        List<String> command = c.list("mongodb", "command");
        int i = command.indexOf("--replSet");
        if (i < 0 || i + 1 >= command.size() || !command.get(i + 1).equals("rs0")) {
            problems.add("mongodb: not started as replica set rs0");
        }
        String health = mongo.path("healthcheck").path("test").toString();
        String script = Files.readString(ComposeFile.ROOT.resolve("deploy/mongodb/healthcheck.js"));
        if (!health.contains("/deploy/healthcheck.js") || !c.list("mongodb", "volumes").contains("./deploy/mongodb:/deploy:ro")
                || !script.contains("rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: 'mongodb:27017' }] })")
                || !script.contains("isWritablePrimary")) {
            problems.add("mongodb: the health check does not initiate rs0 as mongodb:27017 and wait for a primary");
        }
        for (String service : c.serviceNames()) {
            String uri = c.environment(service).get(ImsSettings.MONGO_URI);
            if (uri != null && !uri.contains("replicaSet=rs0")) {
                problems.add(service + ": MONGO_URI does not name replicaSet=rs0");
            }
            if (uri != null && !"service_healthy".equals(c.service(service).path("depends_on").path("mongodb").path("condition").asText())) {
                problems.add(service + ": does not wait for a healthy mongodb");
            }
        }
        return problems;
    }

    // ---- Mosquitto --------------------------------------------------------------------------------------------

    @Test
    void mosquitto_runsTheRepositorysConf_withItsStateInTheVolumeTheInitFills() throws IOException {
        assertThat(mosquittoProblems(compose)).isEmpty();
    }

    @Test
    void aMosquittoWithAnotherConf_orItsStateElsewhere_isReported() throws IOException {
        ComposeFile bad = compose.copy();
        bad.service("mosquitto").putArray("volumes").add("./deploy/other.conf:/mosquitto/config/mosquitto.conf:ro")
                .add("mosquitto-data:/mosquitto/data");
        assertThat(mosquittoProblems(bad)).hasSize(2);
    }

    static List<String> mosquittoProblems(ComposeFile c) throws IOException {
        List<String> problems = new ArrayList<>();
        String conf = Files.readString(ComposeFile.ROOT.resolve("mosquitto.conf"));
        assertThat(conf).contains("\nallow_anonymous false\n", "\nmax_queued_messages 0\n", "\npersistence true\n");
        if (!c.list("mosquitto", "volumes").contains("./mosquitto.conf:/mosquitto/config/mosquitto.conf:ro")) {
            problems.add("mosquitto: not given the repository's mosquitto.conf");
        }
        // mosquitto.conf's relative paths resolve against the image's working folder.
        Path dockerfile = ComposeFile.ROOT.resolve(c.service("mosquitto").path("build").path("context").asText()).resolve("Dockerfile");
        Matcher workdir = Pattern.compile("(?m)^WORKDIR (\\S+)$").matcher(Files.readString(dockerfile));
        Matcher location = Pattern.compile("(?m)^persistence_location \\./(\\S+?)/?$").matcher(conf);
        Matcher dynsec = Pattern.compile("(?m)^plugin_opt_config_file \\./(\\S+)/dynamic-security\\.json$").matcher(conf);
        assertThat(workdir.find() && location.find() && dynsec.find()).as("WORKDIR, persistence_location, plugin_opt_config_file").isTrue();
        String stateDir = workdir.group(1) + "/" + location.group(1);
        Optional<String> state = c.volumeAt("mosquitto", stateDir);
        if (state.isEmpty() || !state.equals(c.volumeAt("mosquitto-init", "/mosquitto-data"))
                || !stateDir.equals(workdir.group(1) + "/" + dynsec.group(1))) {
            problems.add("mosquitto: its state folder " + stateDir + " is not the volume mosquitto-init writes dynamic-security.json to");
        }
        return problems;
    }

    // ---- images and volumes -----------------------------------------------------------------------------------

    @Test
    void everyDockerfile_andEveryModuleItBuilds_exists_andEveryVolumeIsDeclared() throws IOException {
        String parentPom = Files.readString(ComposeFile.ROOT.resolve("pom.xml"));
        Set<String> used = new HashSet<>();
        for (String service : compose.serviceNames()) {
            JsonNode build = compose.service(service).path("build");
            if (!build.isMissingNode()) {
                Path context = ComposeFile.ROOT.resolve(build.path("context").asText("."));
                assertThat(context.resolve(build.path("dockerfile").asText("Dockerfile"))).as(service).isRegularFile();
            } else {
                assertThat(compose.service(service).path("image").asText()).as(service + " has an image or a build").isNotEmpty();
            }
            Optional<String> module = compose.module(service);
            if (module.isPresent()) {
                assertThat(parentPom).as(service).contains("<module>" + module.get() + "</module>");
                assertThat(ComposeFile.ROOT.resolve(module.get()).resolve("src/main/app")).as(service + ": a runnable module").isRegularFile();
            }
            for (String v : compose.list(service, "volumes")) {
                String source = v.split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(ComposeFile.ROOT.resolve(source)).as(service + " mounts " + source).exists();
                } else {
                    used.add(source);
                }
            }
        }
        assertThat(compose.declaredVolumes()).isEqualTo(used);
        assertThat(Files.readString(ComposeFile.ROOT.resolve("Dockerfile"))).contains("USER ims", "HEALTHCHECK", "FROM eclipse-temurin:17-jre");
    }

    @Test
    void theStatefulServices_keepTheirStateInNamedVolumes() {
        assertThat(compose.volumeAt("mongodb", "/data/db")).isPresent();
        assertThat(compose.volumeAt("portal", "/data")).isPresent();
        assertThat(compose.volumeAt("fleet", "/data")).isPresent();
        assertThat(compose.volumeAt("prometheus", "/prometheus")).isPresent();
    }

    // ---- docker-compose ---------------------------------------------------------------------------------------

    /**
     * {@code docker-compose config -q} with .env.example's values: the file is valid compose and .env.example sets every
     * variable it requires. Where the binary is missing the check is skipped, except in CI (CI=true), whose .ci/run
     * installs it.
     */
    @Test
    void dockerCompose_acceptsTheFile_withTheValuesOfEnvExample() throws Exception {
        Optional<Path> binary = onPath("docker-compose");
        if (binary.isEmpty()) {
            assertThat(System.getenv("CI")).as("docker-compose is missing, and CI must run this check (.ci/run installs it)")
                    .isNotEqualTo("true");
            org.junit.jupiter.api.Assumptions.abort("docker-compose is not installed (apt-get install docker-compose)");
        }
        assertThat(dockerComposeConfig(binary.get(), ComposeFile.ROOT.resolve(".env.example"))).isEqualTo("");
    }

    @Test
    void dockerCompose_refusesTheFile_withoutTheSecretsItRequires() throws Exception {
        Optional<Path> binary = onPath("docker-compose");
        org.junit.jupiter.api.Assumptions.assumeTrue(binary.isPresent(), "docker-compose is not installed");
        Path empty = Files.createTempFile("compose", ".env");
        try {
            assertThat(dockerComposeConfig(binary.get(), empty)).contains("MONGO_ROOT_PASSWORD");
        } finally {
            Files.delete(empty);
        }
    }

    /** What {@code docker-compose config -q} says with {@code envFile}: empty when it exits 0. */
    static String dockerComposeConfig(Path binary, Path envFile) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "--project-directory", ComposeFile.ROOT.toString(),
                "--env-file", envFile.toAbsolutePath().toString(), "-f", COMPOSE.toString(), "config", "-q").redirectErrorStream(true);
        // Only the env file speaks: a variable of the same name in the test's own environment would win over it.
        for (String name : List.of("MONGO_ROOT_USERNAME", "MONGO_ROOT_PASSWORD", "METRICS_TOKEN", "IMS_ADMIN_PASSWORD", "TIME_ZONE")) {
            pb.environment().remove(name);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("docker-compose finished").isTrue();
        return p.exitValue() == 0 ? "" : "exit " + p.exitValue() + ": " + out;
    }

    static Optional<Path> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
