package dev.ims.launcher;

import dev.ims.embedded.broker.EmbeddedBroker;
import dev.ims.model.security.BrokerAccounts;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The embedded broker's accounts: it authenticates meters from the store's register itself, so enrolment has nothing
 * to create; revoking closes the meter's open connection (its next CONNECT is refused by the register).
 */
final class EmbeddedBrokerAccounts implements BrokerAccounts {

    private final EmbeddedBroker broker;

    EmbeddedBrokerAccounts(EmbeddedBroker broker) {
        this.broker = broker;
    }

    @Override
    public CompletionStage<Void> register(String meterId, String secret) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> revoke(String meterId) {
        return broker.disconnect(meterId).thenApply(wasConnected -> null);
    }
}
