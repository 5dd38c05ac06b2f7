package dev.ims.launcher.bench;

import dev.ims.client.dynsec.DynsecAccounts;
import dev.ims.model.security.Credential;
import dev.ims.model.security.DynsecConfig;
import dev.ims.model.security.Identity;
import dev.ims.model.security.InMemoryDirectory;
import dev.ims.model.security.Role;
import dev.ims.model.security.Secrets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The bench's identities on the broker it measures: its meters (one credential each, {@link BenchIdentities}) and
 * its own service clients (the ingest under test, the broker-alone subscriber).
 * <ul>
 *   <li>{@link #embedded}: the embedded broker the bench started, which derives meter secrets itself and takes
 *       services from an in-memory directory; nothing to register.
 *   <li>{@link #dynsec}: a Mosquitto with the dynamic-security plugin ({@code --mqtt-url}), managed as its admin
 *       identity (as the portal does, {@code ./ims mosquitto-init}): every meter and service is created there
 *       before it connects, and the meters are disabled again at {@link #close()}.
 * </ul>
 */
abstract class BenchAccounts implements AutoCloseable {

    /** Registrations waiting for the broker's answer at once (each is a round trip through the plugin). */
    private static final int IN_FLIGHT = 64;

    final BenchIdentities identities;

    private BenchAccounts(BenchIdentities identities) {
        this.identities = identities;
    }

    /** The credential {@code meterId} connects with (valid once {@link #registerMeters} returned). */
    Credential meter(String meterId) {
        return identities.meter(meterId);
    }

    /** Makes the meters' credentials work on the broker; blocks until they do. */
    abstract void registerMeters(List<String> meterIds);

    /** A new service client of {@code role} named {@code name}, working on the broker when this returns. */
    abstract Credential service(Role role, String name);

    /** Whether the broker is the embedded one the bench started. */
    abstract boolean embedded();

    @Override
    public void close() {}

    static BenchAccounts embedded(BenchIdentities identities, InMemoryDirectory services) {
        return new BenchAccounts(identities) {
            @Override
            void registerMeters(List<String> meterIds) {}

            @Override
            Credential service(Role role, String name) {
                return services.add(new Identity(role, name));
            }

            @Override
            boolean embedded() {
                return true;
            }
        };
    }

    /** @param accounts the plugin's admin connection; closed with this */
    static BenchAccounts dynsec(BenchIdentities identities, DynsecAccounts accounts) {
        return new BenchAccounts(identities) {
            private final List<String> registered = new ArrayList<>();

            @Override
            void registerMeters(List<String> meterIds) {
                forEach(meterIds, id -> accounts.register(id, identities.meter(id).password()).toCompletableFuture());
                synchronized (registered) {
                    registered.addAll(meterIds);
                }
            }

            @Override
            Credential service(Role role, String name) {
                DynsecConfig.ServiceClient client = new DynsecConfig.ServiceClient(name, Secrets.newSecret(), role);
                accounts.registerService(client).toCompletableFuture().orTimeout(DynsecAccounts.TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS).join();
                return client.credential();
            }

            @Override
            boolean embedded() {
                return false;
            }

            @Override
            public void close() {
                try {
                    forEach(registered, id -> accounts.revoke(id).toCompletableFuture());
                } finally {
                    accounts.close();
                }
            }
        };
    }

    private static void forEach(List<String> ids, java.util.function.Function<String, CompletableFuture<Void>> op) {
        Semaphore inFlight = new Semaphore(IN_FLIGHT);
        List<CompletableFuture<Void>> all = new ArrayList<>(ids.size());
        for (String id : ids) {
            inFlight.acquireUninterruptibly();
            all.add(op.apply(id).whenComplete((v, e) -> inFlight.release()));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
    }
}
