package dev.ims.embedded.broker;

import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * What the embedded broker grants an MQTT client: the ingest keeps the session expiry it asks for and the
 * broker's large queue (its persistent session holds a fleet's backlog while it is down or behind); every
 * other client (a meter, a script, an intruder) gets at most {@code maxSessionExpirySeconds} and
 * {@code maxClientQueue} queued messages, so nobody else can park a week-long session with an unbounded
 * queue.
 *
 * <p>The ingest is recognised by its client ID, which is the name of an identity with the ingest's role: HiveMQ
 * applies these limits before it authenticates the client, and a client that is not that identity is refused at
 * authentication ({@link BrokerSecurityExtension}), so nobody else keeps the ingest's limits. This is the one
 * place that decision is made. Pure and thread-safe: HiveMQ calls it from its extension executor threads.
 */
final class ClientPolicy {

    /** MQTT 5's "never expires" (0xFFFFFFFF seconds); HiveMQ gives an MQTT 3.1.1 clean-session-false client the same. */
    static final long UNLIMITED_SESSION_EXPIRY = 0xFFFF_FFFFL;

    private final Predicate<String> ingestClientId;
    private final long maxSessionExpirySeconds;
    private final long maxClientQueue;

    ClientPolicy(Predicate<String> ingestClientId, long maxSessionExpirySeconds, long maxClientQueue) {
        this.ingestClientId = ingestClientId;
        this.maxSessionExpirySeconds = maxSessionExpirySeconds;
        this.maxClientQueue = maxClientQueue;
    }

    static ClientPolicy of(EmbeddedBrokerOptions options) {
        return new ClientPolicy(options.security()::isIngest, options.maxSessionExpiry().toSeconds(), options.maxClientQueue());
    }

    boolean isIngest(String clientId) {
        return clientId != null && ingestClientId.test(clientId);
    }

    /** The session expiry (seconds) {@code clientId} gets when it asks for {@code requestedSeconds}. */
    long sessionExpiry(String clientId, long requestedSeconds) {
        return isIngest(clientId) ? requestedSeconds : Math.min(requestedSeconds, maxSessionExpirySeconds);
    }

    /** The queue limit of {@code clientId}'s own session; empty: the broker's configured maximum. */
    OptionalLong queueLimit(String clientId) {
        return isIngest(clientId) ? OptionalLong.empty() : OptionalLong.of(maxClientQueue);
    }
}
