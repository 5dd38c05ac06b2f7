package dev.ims.embedded.broker;

import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.BrokerRights;
import dev.ims.model.security.Identity;
import dev.ims.model.security.IdentityDirectory;
import dev.ims.model.security.InMemoryDirectory;
import dev.ims.model.security.Role;
import dev.ims.model.topic.Topics;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Who the embedded broker lets in and what they may do: the services' identities (in memory, from their identity
 * files), the enrolled meters (a directory over the store), and the rights table every client is held to.
 * Nobody connects without a credential one of them proves.
 *
 * @param rights the rights table (topic prefix and the ingest's share group)
 * @param services the ingest and portal instances
 * @param meters enrolled meters; any identity it proves is taken as a meter, whatever it says, so the store can
 *     never mint a service
 */
public record BrokerSecurity(BrokerRights rights, InMemoryDirectory services, IdentityDirectory meters) {

    /** Refuses every client: the default until a stack says who its clients are. */
    public static BrokerSecurity refuseAll() {
        return new BrokerSecurity(new BrokerRights(Topics.defaults(), ImsSettings.DEFAULT_INGEST_GROUP), new InMemoryDirectory(),
                IdentityDirectory.NOBODY);
    }

    /** Whether {@code clientId} is the name of an ingest instance's identity. */
    boolean isIngest(String clientId) {
        return services.identityNamed(clientId).map(i -> i.role() == Role.INGEST).orElse(false);
    }

    /**
     * Services first; a username a service holds is never looked up among the meters. Both by secret
     * ({@code authenticate}) and by a name a verified client certificate proves ({@code lookup}).
     */
    IdentityDirectory directory() {
        return new IdentityDirectory() {
            @Override
            public CompletionStage<Optional<Identity>> authenticate(String username, String password) {
                if (services.identityNamed(username).isPresent()) {
                    return services.authenticate(username, password);
                }
                if (Identity.isReservedForServices(username)) {
                    return CompletableFuture.completedFuture(Optional.empty());
                }
                return meters.authenticate(username, password)
                        .thenApply(found -> found.filter(i -> i.name().equals(username)).map(i -> Identity.meter(i.name())));
            }

            /** The same order for a name a client certificate proves: a service's name is never looked up among the meters. */
            @Override
            public CompletionStage<Optional<Identity>> lookup(String name) {
                if (services.identityNamed(name).isPresent()) {
                    return services.lookup(name);
                }
                if (Identity.isReservedForServices(name)) {
                    return CompletableFuture.completedFuture(Optional.empty());
                }
                return meters.lookup(name)
                        .thenApply(found -> found.filter(i -> i.name().equals(name)).map(i -> Identity.meter(i.name())));
            }
        };
    }
}
