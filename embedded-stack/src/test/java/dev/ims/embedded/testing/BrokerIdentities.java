package dev.ims.embedded.testing;

import dev.ims.embedded.broker.BrokerSecurity;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.Credential;
import dev.ims.model.security.Identity;
import dev.ims.model.security.InMemoryDirectory;
import dev.ims.model.security.Role;
import dev.ims.model.topic.Topics;

/**
 * The identities a test's embedded broker knows, created as the test needs them: meters, ingest and portal
 * instances, each with a random secret. Pass {@link #security()} to {@code EmbeddedBrokerOptions.withSecurity} and
 * give each client the credential it gets here (its username is also its client ID). Thread-safe.
 */
public final class BrokerIdentities {

    private final InMemoryDirectory services = new InMemoryDirectory();
    private final InMemoryDirectory meters = new InMemoryDirectory();
    private final BrokerSecurity security;

    public BrokerIdentities() {
        this(Topics.defaults(), ImsSettings.DEFAULT_INGEST_GROUP);
    }

    public BrokerIdentities(Topics topics, String ingestGroup) {
        this.security = new BrokerSecurity(new BrokerRights(topics, ingestGroup), services, meters);
    }

    public BrokerSecurity security() {
        return security;
    }

    /** A meter's credential (created the first time; the same meter ID later gets a new secret). */
    public Credential meter(String meterId) {
        return meters.add(Identity.meter(meterId));
    }

    /** A meter's credential with the secret the meter generated itself (its state file's). */
    public Credential meter(String meterId, String secret) {
        return meters.add(Identity.meter(meterId), secret);
    }

    public Credential ingest(String name) {
        return services.add(new Identity(Role.INGEST, name));
    }

    public Credential portal(String name) {
        return services.add(new Identity(Role.PORTAL, name));
    }

    public Credential monitor(String name) {
        return services.add(new Identity(Role.MONITOR, name));
    }

    /** Removes a meter's identity: its credential stops working for new connections (revocation). */
    public void revokeMeter(String meterId) {
        meters.remove(meterId);
    }
}
