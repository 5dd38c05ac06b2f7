package dev.ims.bridge;

import com.pi4j.Pi4J;
import com.pi4j.context.Context;
import com.pi4j.plugin.mock.platform.MockPlatform;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInputProvider;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalOutputProvider;
import dev.ims.bridge.homeassistant.HaMirrorSettings;
import dev.ims.client.cli.DurationConverter;
import dev.ims.client.enrol.EnrolmentOptions;
import dev.ims.client.enrol.EnrolmentRefusedException;
import dev.ims.client.enrol.EnrolmentSettings;
import dev.ims.client.outbox.Outbox;
import dev.ims.client.relay.RelayRules;
import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.LogConfig;
import dev.ims.model.reading.RelayState;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code firmware-bridge}: one real meter on a Raspberry Pi (BCM pin numbers). */
@Command(name = "firmware-bridge", mixinStandardHelpOptions = true,
        description = "Publishes a real meter's readings from its S0 output and switches its supply relay, on a Raspberry Pi.")
public final class BridgeMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-bridge.xml");
    }

    @Mixin
    ImsOptions options;

    @Mixin
    EnrolmentOptions enrolmentOptions;

    @Option(names = "--state-file", description = "The meter's identity, register and seq (default {IMS_DATA_DIR}/bridge/meter.json).")
    Path stateFile;

    @Option(names = "--source", description = "Where measurements come from: s0 (pulses on a GPIO), p1 (the DSMR P1 port), modbus (Modbus TCP) "
            + "or modbus-rtu (Modbus RTU on a serial port) (default ${DEFAULT-VALUE}).")
    String source = "s0";

    @Option(names = "--modbus-host", description = "The meter's (or its RS485 gateway's) Modbus TCP address.")
    String modbusHost;

    @Option(names = "--modbus-port", description = "Modbus TCP port (default ${DEFAULT-VALUE}).")
    int modbusPort = 502;

    @Option(names = "--modbus-unit", description = "The meter's Modbus unit (slave) ID (default ${DEFAULT-VALUE}).")
    int modbusUnit = 1;

    @Option(names = "--modbus-map", description = "The meter's register layout: sdm120, sdm630 or pzem004t (default ${DEFAULT-VALUE}).")
    String modbusMap = "sdm630";

    @Option(names = "--modbus-device", description = "Modbus RTU: the serial device of the RS485 (or TTL) adapter (default ${DEFAULT-VALUE}).")
    Path modbusDevice = Path.of("/dev/ttyUSB0");

    @Option(names = "--modbus-baud", description = "Modbus RTU: the meter's speed (default: the map's, as the meter ships: 2400 for sdm120, 9600 for sdm630 and pzem004t).")
    Integer modbusBaud;

    @Option(names = "--modbus-format", description = "Modbus RTU: data bits, parity, stop bits, e.g. 8N1, 8E1, 8N2 (default ${DEFAULT-VALUE}).")
    String modbusFormat = "8N1";

    @Option(names = "--p1-device", paramLabel = "DEVICE", description = "The P1 serial device: a USB P1 cable (/dev/ttyUSB0, better its /dev/serial/by-id/… name) "
            + "or the Pi's UART (/dev/serial0); the bridge sets its speed and format itself and reopens it when it goes away "
            + "(default ${DEFAULT-VALUE}).")
    Path p1Device = Path.of("/dev/ttyUSB0");

    @Option(names = "--p1-baud", paramLabel = "auto|BAUD",
            description = "The P1 port's speed: auto tries 115200 (DSMR 4/5, Fluvius, Smarty) and 9600 (DSMR 2.2/3) in turn until a valid "
                    + "telegram arrives, and keeps the one that worked (default ${DEFAULT-VALUE}).")
    String p1Baud = "auto";

    @Option(names = "--p1-format", paramLabel = "auto|8N1|7E1",
            description = "The P1 port's data bits, parity, stop bits: auto goes with the speed (8N1 at 115200, 7E1 at 9600) "
                    + "(default ${DEFAULT-VALUE}).")
    String p1Format = "auto";

    @Option(names = "--p1-key", paramLabel = "HEX32",
            description = "Luxembourg Smarty meters (encrypted P1): the 16-byte decryption key from the grid operator, 32 hex digits. "
                    + "Also from IMS_P1_KEY or --p1-key-file, which other users cannot see in the process list.")
    String p1Key;

    @Option(names = "--p1-key-file", paramLabel = "FILE", description = "A file holding the Smarty P1 key (32 hex digits).")
    Path p1KeyFile;

    @Option(names = "--s0-pin", description = "BCM GPIO of the S0 input (default ${DEFAULT-VALUE}).")
    int s0Pin = 17;

    @Option(names = "--s0-active-low", description = "S0 wired to ground with a pull-up: a pulse pulls the pin LOW.")
    boolean s0ActiveLow;

    @Option(names = "--s0-debounce-us", description = "Debounce of the S0 input in microseconds (default ${DEFAULT-VALUE}).")
    long s0DebounceMicros = 5_000;

    @Option(names = "--pulses-per-kwh", description = "The meter's S0 constant, imp/kWh, printed on its front (default ${DEFAULT-VALUE}).")
    int pulsesPerKwh = 1_000;

    @Option(names = "--relay-pin", description = "BCM GPIO driving the supply relay (default ${DEFAULT-VALUE}).")
    int relayPin = 27;

    @Option(names = "--relay-active-low", description = "The supply is ON when the relay pin is LOW.")
    boolean relayActiveLow;

    @Option(names = "--relay-feedback-pin", description = "BCM GPIO reading the supply's real state (HIGH = ON); -1 for none (default ${DEFAULT-VALUE}).")
    int relayFeedbackPin = -1;

    @Option(names = "--relay-safe-state", paramLabel = "ON|OFF",
            description = "Relay state to drive when the bridge stops; unset: the relay keeps its current state (never the start-up one).")
    RelayState relaySafeState;

    @Option(names = "--min-switch-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Least time between two switches of the relay, protecting the contactor: seconds, 90s, 5m or PT1M; 0 turns it off (default 60 s).")
    Duration minSwitchInterval = RelayRules.DEFAULT_MIN_SWITCH_INTERVAL;

    @Option(names = "--command-keys", paramLabel = "FILE",
            description = "The public keys whose signed relay commands the bridge carries out; without them every command is refused "
                    + "(default: the set the portal delivered at enrolment, beside the state file; else "
                    + "{IMS_DATA_DIR}/keys/command-keys.json).")
    Path commandKeys;

    @Option(names = "--interval-seconds", description = "Seconds between readings (default ${DEFAULT-VALUE}).")
    long intervalSeconds = 10;

    @Option(names = "--start-kwh", description = "The register of a new meter, from its display (default ${DEFAULT-VALUE}).")
    double startKwh = 0;

    @Option(names = "--outbox-max-readings", description = "Readings kept on disk while the broker is unreachable (default ${DEFAULT-VALUE}).")
    int outboxMaxReadings = Outbox.DEFAULT_MAX_READINGS;

    @Option(names = "--silent-after", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "No data from the meter (P1, Modbus) for this long is reported as a fault: logged, in the status message, "
                    + "on /metrics (default: three readings' time, at least 1 min).")
    Duration silentAfter;

    @Option(names = "--exit-after-silence", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "No data from the meter for this long makes the bridge exit with code 4, so that systemd restarts it; "
                    + "0 never (default 10m).")
    Duration exitAfterSilence;

    @Option(names = "--metrics-port", description = "Serve the bridge's counters for Prometheus on http://BIND:PORT/metrics; 0: none (default ${DEFAULT-VALUE}).")
    int metricsPort;

    @Option(names = "--metrics-bind", description = "The address the metrics endpoint binds to: 127.0.0.1 this machine only, 0.0.0.0 every interface "
            + "(default ${DEFAULT-VALUE}).")
    String metricsBind = "127.0.0.1";

    @Option(names = "--circuits", paramLabel = "FILE",
            description = "The meter's circuits (appliances with their own meter and, optionally, their own relay): a JSON list, see the README. "
                    + "Checked at start: a wrong entry stops the bridge with its name.")
    Path circuitsFile;

    @Option(names = "--circuits-modbus-device", paramLabel = "DEVICE",
            description = "The RS485 adapter of the circuits' Modbus meters when they are not on the main meter's bus (the main source is s0 or p1, "
                    + "or a second bus); default: the main meter's bus with --source modbus-rtu or modbus.")
    Path circuitsModbusDevice;

    @Option(names = "--circuits-modbus-baud", description = "The speed of --circuits-modbus-device (default: the first Modbus circuit's map's: 9600 for pzem004t).")
    Integer circuitsModbusBaud;

    @Option(names = "--circuits-modbus-format", description = "Data bits, parity, stop bits on --circuits-modbus-device (default ${DEFAULT-VALUE}).")
    String circuitsModbusFormat = "8N1";

    @Option(names = "--ha-mqtt-url", paramLabel = "URL",
            description = "Also mirror the readings to this local broker for Home Assistant (MQTT discovery: energy, power, voltage, current, "
                    + "the supply as a read-only binary sensor): mqtt://host:1883 or mqtts://host:8883. A home broker that is down never "
                    + "affects the utility connection. Off without it.")
    String haMqttUrl;

    @Option(names = "--ha-username", paramLabel = "USER", description = "The user name on the Home Assistant broker.")
    String haUsername;

    @Option(names = "--ha-password-file", paramLabel = "FILE",
            description = "A file holding the password on the Home Assistant broker (else IMS_HA_PASSWORD); never on the command line.")
    Path haPasswordFile;

    @Option(names = "--ha-discovery-prefix", paramLabel = "PREFIX",
            description = "Home Assistant's MQTT discovery prefix (default ${DEFAULT-VALUE}).")
    String haDiscoveryPrefix = HaMirrorSettings.DEFAULT_DISCOVERY_PREFIX;

    @Option(names = "--ha-state-topic-prefix", paramLabel = "PREFIX",
            description = "Where the state and availability go on the Home Assistant broker: PREFIX/<meter id>/state and "
                    + "PREFIX/<meter id>/availability (default ${DEFAULT-VALUE}).")
    String haStatePrefix = HaMirrorSettings.DEFAULT_STATE_PREFIX;

    @Option(names = "--mock", description = "Simulated GPIO (Pi4J's mock platform): to try the bridge off the Pi.")
    boolean mock;

    /** The exit code when the portal refuses the meter, or a meter never enrolled cannot enrol. */
    static final int EXIT_NOT_ENROLLED = 3;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BridgeMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ImsSettings settings = options.settings(System.getenv());
        if (settings.mqttUrl().isEmpty()) {
            System.err.println("firmware-bridge needs MQTT_URL (or --mqtt-url): the broker the ingest listens to.");
            return 2;
        }
        EnrolmentSettings enrolment;
        try {
            enrolment = enrolmentOptions.settings(System.getenv(), settings);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Bridge.Monitoring monitoring = monitoring();
        HaMirrorSettings homeAssistant = homeAssistant(System.getenv());
        java.util.List<CircuitSpec> circuits = circuits();
        Path file = stateFile != null ? stateFile : settings.dataDir().resolve("bridge").resolve("meter.json");
        Context pi4j = mock ? mockContext() : Pi4J.newAutoContext();
        EnergySource energy = switch (source) {
            case "s0" -> new S0Source(new S0Counter(pi4j, s0Pin, s0ActiveLow, s0DebounceMicros), pulsesPerKwh);
            case "p1" -> P1Source.start(new JSerialCommPort(p1Device), p1Options(System.getenv()), Clock.systemUTC());
            case "modbus" -> {
                if (modbusHost == null) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "--source modbus needs --modbus-host");
                }
                yield modbusSource(false);
            }
            case "modbus-rtu" -> modbusSource(true);
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "--source must be s0, p1, modbus or modbus-rtu");
        };
        Map<String, EnergySource> circuitSources = circuitSources(pi4j, circuits, energy);
        Bridge bridge;
        try {
            // The meter enrols before it connects (idempotent at every start; without a key it connects as it is).
            bridge = Bridge.start(pi4j, settings, new Bridge.Options(file, relayPin, relayActiveLow, relayFeedbackPin,
                    Duration.ofSeconds(intervalSeconds), startKwh, outboxMaxReadings, relaySafeState, minSwitchInterval, commandKeys, enrolment,
                    monitoring).withCircuits(circuits, null).withHomeAssistant(homeAssistant), energy, circuitSources, Clock.systemUTC());
        } catch (EnrolmentRefusedException e) {
            System.err.println(e.getMessage());
            circuitSources.values().forEach(EnergySource::close);
            energy.close();
            pi4j.shutdown();
            return EXIT_NOT_ENROLLED;
        }
        if (bridge.created()) {
            System.out.printf("%nNew meter %s, claim code %s: put both on the meter's label; the consumer links it with them.%n%n",
                    bridge.meter().meterId(), bridge.meter().state().claimCode());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            bridge.close();
            pi4j.shutdown();
            stopped.countDown();
        }));
        // Stopped by a signal (the hook closes the bridge), or the bridge asks to exit (its source silent too long):
        // then main's System.exit runs the same hook.
        java.util.concurrent.atomic.AtomicInteger code = new java.util.concurrent.atomic.AtomicInteger();
        bridge.exitRequested().thenAccept(c -> {
            code.set(c);
            stopped.countDown();
        });
        stopped.await();
        return code.get();
    }

    /** The source's watch as the options say; the defaults follow the reading interval. */
    Bridge.Monitoring monitoring() {
        Bridge.Monitoring d = Bridge.Monitoring.defaults(Duration.ofSeconds(intervalSeconds));
        dev.ims.model.config.BindAddress bind;
        try {
            bind = dev.ims.model.config.BindAddress.parse(metricsBind);
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--metrics-bind must be an IP address such as 127.0.0.1 or 0.0.0.0, got '"
                    + metricsBind + "'");
        }
        if (metricsPort < 0 || metricsPort > 65_535) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--metrics-port must be 0 to 65535");
        }
        Bridge.Monitoring m = new Bridge.Monitoring(silentAfter != null ? silentAfter : d.silentAfter(),
                exitAfterSilence != null ? exitAfterSilence : d.exitAfterSilence(), d.reportEvery(), bind.host(), metricsPort);
        try {
            new SourceWatch.Limits(m.silentAfter(), m.exitAfterSilence());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage());
        }
        return m;
    }

    /**
     * The P1 options from {@code --p1-baud}, {@code --p1-format} and the Smarty key ({@code --p1-key}, else
     * {@code --p1-key-file}, else {@code IMS_P1_KEY}).
     *
     * @throws CommandLine.ParameterException naming the option that is wrong (never the key itself)
     */
    P1Source.Options p1Options(Map<String, String> env) {
        CommandLine cmd = new CommandLine(this);
        Integer baud = null;
        if (!"auto".equalsIgnoreCase(p1Baud.strip())) {
            try {
                baud = Integer.valueOf(p1Baud.strip());
            } catch (NumberFormatException e) {
                throw new CommandLine.ParameterException(cmd, "--p1-baud must be auto or a speed such as 115200 or 9600, not '" + p1Baud + "'");
            }
            if (baud <= 0) {
                throw new CommandLine.ParameterException(cmd, "--p1-baud must be positive, not " + baud);
            }
        }
        SerialFormat format = null;
        if (!"auto".equalsIgnoreCase(p1Format.strip())) {
            try {
                format = SerialFormat.parse(p1Format);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, "--p1-format: " + e.getMessage());
            }
        }
        String key = p1Key;
        String from = "--p1-key";
        if (key == null && p1KeyFile != null) {
            from = "--p1-key-file " + p1KeyFile;
            try {
                key = Files.readString(p1KeyFile);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(cmd, "--p1-key-file: cannot read " + p1KeyFile + " (" + e.getMessage() + ")");
            }
        }
        if (key == null && env.get("IMS_P1_KEY") != null && !env.get("IMS_P1_KEY").isBlank()) {
            from = "IMS_P1_KEY";
            key = env.get("IMS_P1_KEY");
        }
        SmartyCipher cipher = null;
        if (key != null) {
            try {
                cipher = SmartyCipher.ofHex(key);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cmd, from + ": " + e.getMessage());
            }
        }
        return P1Source.Options.auto().withSetting(baud, format).withCipher(cipher);
    }

    /**
     * The Home Assistant mirror's settings from the {@code --ha-*} options, the password from {@code --ha-password-file}
     * (its first line) or else {@code IMS_HA_PASSWORD}; null without {@code --ha-mqtt-url}.
     *
     * @throws CommandLine.ParameterException naming the option that is wrong (never the password itself)
     */
    HaMirrorSettings homeAssistant(Map<String, String> env) {
        CommandLine cmd = new CommandLine(this);
        if (haMqttUrl == null || haMqttUrl.isBlank()) {
            if (haUsername != null || haPasswordFile != null) {
                throw new CommandLine.ParameterException(cmd, "--ha-username and --ha-password-file need --ha-mqtt-url");
            }
            return null;
        }
        dev.ims.model.config.MqttEndpoint endpoint;
        try {
            endpoint = dev.ims.model.config.MqttEndpoint.parse(haMqttUrl);
        } catch (ConfigException e) {
            throw new CommandLine.ParameterException(cmd, "--ha-mqtt-url must be mqtt://host:port or mqtts://host:port, not '" + haMqttUrl + "'");
        }
        String password = null;
        if (haPasswordFile != null) {
            try {
                password = Files.readString(haPasswordFile).lines().findFirst().orElse("").strip();
            } catch (IOException e) {
                throw new CommandLine.ParameterException(cmd, "--ha-password-file: cannot read " + haPasswordFile + " (" + e.getMessage() + ")");
            }
        } else if (env.get("IMS_HA_PASSWORD") != null && !env.get("IMS_HA_PASSWORD").isEmpty()) {
            password = env.get("IMS_HA_PASSWORD");
        }
        if (password != null && (haUsername == null || haUsername.isBlank())) {
            throw new CommandLine.ParameterException(cmd, "a Home Assistant broker password needs --ha-username");
        }
        try {
            return HaMirrorSettings.of(endpoint, haUsername, password).withPrefixes(haDiscoveryPrefix, haStatePrefix);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cmd, e.getMessage());
        }
    }

    /**
     * The Modbus source the options describe (nothing is opened yet).
     *
     * @param rtu Modbus RTU on {@code --modbus-device}, else Modbus TCP to {@code --modbus-host}
     * @throws CommandLine.ParameterException for a map, format, baud or unit that cannot be
     */
    ModbusSource modbusSource(boolean rtu) {
        try {
            ModbusRegisterMap map = ModbusRegisterMap.named(modbusMap);
            if (!rtu) {
                return ModbusSource.tcp(modbusHost, modbusPort, modbusUnit, map, Clock.systemUTC());
            }
            return ModbusSource.rtu(modbusDevice, modbusBaud != null ? modbusBaud : map.defaultBaud(), SerialFormat.parse(modbusFormat),
                    modbusUnit, map, Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage(), e);
        }
    }

    /**
     * The circuits {@code --circuits} describes (none without it), checked against the pins and Modbus unit the bridge
     * uses already.
     *
     * @throws CommandLine.ParameterException naming the file and the entry that is wrong
     */
    java.util.List<CircuitSpec> circuits() {
        if (circuitsFile == null) {
            return java.util.List.of();
        }
        Map<Integer, String> pins = new java.util.HashMap<>();
        pins.put(relayPin, "the supply relay");
        if (relayFeedbackPin >= 0) {
            pins.put(relayFeedbackPin, "the supply relay's feedback");
        }
        if ("s0".equals(source)) {
            pins.put(s0Pin, "the meter's S0 input");
        }
        boolean sharedBus = circuitsModbusDevice == null && source.startsWith("modbus");
        try {
            return CircuitsFile.read(circuitsFile, pins, sharedBus ? modbusUnit : null);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), e.getMessage(), e);
        }
    }

    /**
     * Each circuit's measurement: its Modbus unit on the main meter's bus (one master, the units read one after the
     * other) or on {@code --circuits-modbus-device}, or its S0 pulses on a GPIO. Nothing is opened on the line yet.
     *
     * @param main the main meter's source, whose bus Modbus circuits share when there is no {@code --circuits-modbus-device}
     * @throws CommandLine.ParameterException a Modbus circuit with no bus to be on, or a bad circuits bus option
     */
    Map<String, EnergySource> circuitSources(Context pi4j, java.util.List<CircuitSpec> circuits, EnergySource main) {
        CommandLine cmd = new CommandLine(this);
        java.util.List<ModbusRegisterMap> maps = circuits.stream().map(CircuitSpec::measure).filter(CircuitSpec.Modbus.class::isInstance)
                .map(m -> ((CircuitSpec.Modbus) m).map()).toList();
        ModbusBus bus = null;
        boolean own = false;
        if (!maps.isEmpty()) {
            if (circuitsModbusDevice != null) {
                try {
                    bus = ModbusBus.rtu(circuitsModbusDevice, circuitsModbusBaud != null ? circuitsModbusBaud : maps.get(0).defaultBaud(),
                            SerialFormat.parse(circuitsModbusFormat), maps);
                } catch (IllegalArgumentException e) {
                    throw new CommandLine.ParameterException(cmd, "--circuits-modbus-*: " + e.getMessage(), e);
                }
                own = true;
            } else if (main instanceof ModbusSource m) {
                bus = m.bus();
            } else {
                String first = circuits.stream().filter(c -> c.measure() instanceof CircuitSpec.Modbus).findFirst().orElseThrow().id();
                throw new CommandLine.ParameterException(cmd, "--circuits: circuit " + first + " is measured over Modbus: it needs the main meter on "
                        + "the same RS485 bus (--source modbus-rtu) or a bus of its own (--circuits-modbus-device)");
            }
        }
        Map<String, EnergySource> out = new java.util.LinkedHashMap<>();
        for (CircuitSpec c : circuits) {
            if (c.measure() instanceof CircuitSpec.Modbus m) {
                out.put(c.id(), ModbusSource.on(bus, own, m.unit(), m.map(), Clock.systemUTC()));
            } else if (c.measure() instanceof CircuitSpec.S0 s) {
                out.put(c.id(), new S0Source(new S0Counter(pi4j, s.pin(), s.activeLow(), s0DebounceMicros), s.pulsesPerKwh()));
            }
        }
        return out;
    }

    /** Pi4J with the mock platform and GPIO only. */
    static Context mockContext() {
        return Pi4J.newContextBuilder()
                .add(new MockPlatform())
                .add(MockDigitalInputProvider.newInstance(), MockDigitalOutputProvider.newInstance())
                .build();
    }
}
