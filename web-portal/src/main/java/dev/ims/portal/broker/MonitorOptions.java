package dev.ims.portal.broker;

import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.Credential;
import dev.ims.model.security.ServiceCredentials;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The broker and pipeline monitor's settings.
 *
 * @param credential the monitoring identity ({@code MQTT_MONITOR_USERNAME} / {@code MQTT_MONITOR_PASSWORD}, else the
 *     identity file {@code IMS_DATA_DIR/identities/ims-monitor.json} when it exists); null: the broker's figures are not
 *     read (the ingest figures and their alarms still are)
 * @param sampleInterval how often the history takes a sample (an hour of them is kept); default {@link #DEFAULT_SAMPLE_INTERVAL}
 * @param ingestLagAlarm an ingest instance whose lag exceeds this raises {@code INGEST_LAG} ({@code ALARM_INGEST_LAG_SECONDS},
 *     default {@link #DEFAULT_INGEST_LAG_ALARM})
 * @param droppedWindow the broker dropping any message within this raises {@code BROKER_DROPPING}
 *     ({@code ALARM_BROKER_DROPPED_MINUTES}, default {@link #DEFAULT_DROPPED_WINDOW})
 * @param alarmSweep how often the portal sweeps the time-based and system alarms ({@code ALARM_SWEEP_SECONDS}, 1–3600,
 *     default {@link #DEFAULT_ALARM_SWEEP})
 */
public record MonitorOptions(Credential credential, Duration sampleInterval, Duration ingestLagAlarm, Duration droppedWindow,
        Duration alarmSweep) {

    public static final String MQTT_MONITOR_USERNAME = "MQTT_MONITOR_USERNAME";
    public static final String MQTT_MONITOR_PASSWORD = "MQTT_MONITOR_PASSWORD";
    public static final String ALARM_INGEST_LAG_SECONDS = "ALARM_INGEST_LAG_SECONDS";
    public static final String ALARM_BROKER_DROPPED_MINUTES = "ALARM_BROKER_DROPPED_MINUTES";
    public static final Duration DEFAULT_SAMPLE_INTERVAL = Duration.ofSeconds(10);
    public static final Duration DEFAULT_INGEST_LAG_ALARM = Duration.ofSeconds(60);
    public static final Duration DEFAULT_DROPPED_WINDOW = Duration.ofMinutes(10);
    public static final String ALARM_SWEEP_SECONDS = "ALARM_SWEEP_SECONDS";
    public static final Duration DEFAULT_ALARM_SWEEP = Duration.ofSeconds(30);

    public MonitorOptions {
        if (sampleInterval.isNegative() || sampleInterval.isZero()) {
            throw new IllegalArgumentException("sampleInterval must be positive");
        }
        if (alarmSweep == null || alarmSweep.isNegative() || alarmSweep.isZero()) {
            throw new IllegalArgumentException("alarmSweep must be positive");
        }
    }

    public static MonitorOptions load(ImsSettings ims, Map<String, String> env) {
        String user = blankToNull(env.get(MQTT_MONITOR_USERNAME));
        Credential credential;
        if (user != null) {
            String password = env.get(MQTT_MONITOR_PASSWORD);
            if (password == null || password.isEmpty()) {
                throw new ConfigException(MQTT_MONITOR_USERNAME + " is set but " + MQTT_MONITOR_PASSWORD + " is not");
            }
            credential = new Credential(user, password);
        } else {
            Optional<Credential> file = ServiceCredentials.load(ServiceCredentials.file(ims.dataDir(), BrokerMonitor.MONITOR_IDENTITY));
            credential = file.orElse(null);
        }
        return new MonitorOptions(credential, DEFAULT_SAMPLE_INTERVAL,
                Duration.ofSeconds(whole(env.get(ALARM_INGEST_LAG_SECONDS), ALARM_INGEST_LAG_SECONDS, DEFAULT_INGEST_LAG_ALARM.toSeconds(), 1, 86_400)),
                Duration.ofMinutes(whole(env.get(ALARM_BROKER_DROPPED_MINUTES), ALARM_BROKER_DROPPED_MINUTES, DEFAULT_DROPPED_WINDOW.toMinutes(), 1,
                        60)),
                Duration.ofSeconds(whole(env.get(ALARM_SWEEP_SECONDS), ALARM_SWEEP_SECONDS, DEFAULT_ALARM_SWEEP.toSeconds(), 1, 3600)));
    }

    public MonitorOptions withCredential(Credential c) {
        return new MonitorOptions(c, sampleInterval, ingestLagAlarm, droppedWindow, alarmSweep);
    }

    public MonitorOptions withSampleInterval(Duration d) {
        return new MonitorOptions(credential, d, ingestLagAlarm, droppedWindow, alarmSweep);
    }

    public MonitorOptions withIngestLagAlarm(Duration d) {
        return new MonitorOptions(credential, sampleInterval, d, droppedWindow, alarmSweep);
    }

    /** The same options with another alarm sweep interval (tests: a short one). */
    public MonitorOptions withAlarmSweep(Duration d) {
        return new MonitorOptions(credential, sampleInterval, ingestLagAlarm, droppedWindow, d);
    }

    @Override
    public String toString() {
        return "MonitorOptions[identity=" + (credential == null ? "none" : credential.username() + " (password <hidden>)") + ", sampleInterval="
                + sampleInterval + ", ingestLagAlarm=" + ingestLagAlarm + ", droppedWindow=" + droppedWindow + ", alarmSweep=" + alarmSweep + "]";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static long whole(String raw, String name, long byDefault, long min, long max) {
        if (raw == null || raw.isBlank()) {
            return byDefault;
        }
        try {
            long v = Long.parseLong(raw.strip());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(name + " must be a whole number from " + min + " to " + max + ", got '" + raw + "'");
    }
}
