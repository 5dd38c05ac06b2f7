package dev.ims.model.security;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The broker's side of enrolment and revocation, for brokers that keep their own accounts. The store's
 * {@code devices} collection is the register of record; this makes the broker agree with it.
 * <ul>
 *   <li>{@link #STORE_BACKED}: the broker reads the register itself (the embedded HiveMQ's extension; EMQX's MongoDB
 *       authenticator could): nothing to create, and a revoked meter is refused at its next CONNECT. The embedded
 *       broker also closes the open session ({@code EmbeddedBroker.disconnect}).
 *   <li>Mosquitto's dynamic security: a client and a role per meter, created, disabled (which closes its
 *       connection) through {@code $CONTROL/dynamic-security/v1}.
 * </ul>
 * Both operations are idempotent; a failed stage is retried by the caller.
 */
public interface BrokerAccounts {

    /** Makes {@code meterId}'s credential (username = client ID = meter ID, password {@code secret}) work on the broker. */
    CompletionStage<Void> register(String meterId, String secret);

    /** Stops {@code meterId}'s credential working and closes its open connection, if any. */
    CompletionStage<Void> revoke(String meterId);

    /** The broker authenticates meters from the store by itself: nothing to create or disable here. */
    BrokerAccounts STORE_BACKED = new BrokerAccounts() {
        @Override
        public CompletionStage<Void> register(String meterId, String secret) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> revoke(String meterId) {
            return CompletableFuture.completedFuture(null);
        }
    };
}
