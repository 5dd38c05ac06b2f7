package dev.ims.launcher.bench;

import dev.ims.agent.Fleet;
import dev.ims.client.meter.MeterState;
import dev.ims.agent.meter.SimulatedMeter;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.config.LogConfig;
import dev.ims.model.meter.ClaimCodes;
import dev.ims.model.meter.MeterIds;
import dev.ims.model.reading.RelayState;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Run in its own JVM by the bench (with the heap under test, e.g. {@code -Xmx1g}): connects {@code n}
 * simulated meters to the broker at {@code MQTT_URL}, each with its own MQTT connection, and prints the
 * heap they hold once all are connected ({@code FLEET <n> <usedBytes> <maxBytes>}). Meters share one claim
 * verifier, since computing 50 000 slow hashes would measure the hash, not the fleet. Each meter has its own
 * credential on the bench's broker ({@link BenchIdentities}, key in {@code IMS_BENCH_KEY}).
 */
public final class FleetMemoryProbe {

    static {
        LogConfig.use("logback-launcher.xml");
    }

    private FleetMemoryProbe() {}

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        ImsSettings settings = ImsSettings.load(System.getenv(), Map.of());
        Path dir = Files.createTempDirectory("ims-fleet-probe");
        String verifier = ClaimCodes.verifier(ClaimCodes.newCode(), ClaimCodes.DEFAULT_ITERATIONS);
        Fleet.Options options = new Fleet.Options(Duration.ofHours(1), 0, Fleet.Options.DEFAULT_HISTORY_STEP, 0);
        List<Fleet.Member> members = new ArrayList<>(n);
        Instant now = Instant.now();
        BenchIdentities identities = new BenchIdentities(System.getenv(BenchIdentities.KEY_VARIABLE));
        for (int i = 0; i < n; i++) {
            String id = MeterIds.newId();
            MeterState state = new MeterState(id, "PROBE-CODE", verifier, 0, 100, now, RelayState.ON, 150, i,
                    identities.meter(id).password());
            members.add(new Fleet.Member(dir.resolve(state.meterId() + ".json"), true, new SimulatedMeter(state, settings.timeZone(), 0)));
        }
        Fleet fleet = Fleet.start(members, settings, options, Clock.systemUTC(), null).get(30, TimeUnit.MINUTES);
        for (int i = 0; i < 3; i++) {
            System.gc();
            TimeUnit.MILLISECONDS.sleep(300);
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        System.out.println("FLEET " + n + " " + heap.getUsed() + " " + heap.getMax());
        System.out.flush();
        fleet.close();
        System.exit(0);
    }
}
