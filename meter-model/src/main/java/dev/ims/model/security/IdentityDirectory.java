package dev.ims.model.security;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where a broker looks a client's credential up: the services' identities (files under {@code IMS_DATA_DIR}),
 * the enrolled meters (the store's {@code devices} collection). Implementations are thread-safe; the stage may
 * complete on any thread and must not fail for a wrong credential (empty instead).
 */
@FunctionalInterface
public interface IdentityDirectory {

    /** The identity this username and password prove, or empty (unknown, wrong secret, decommissioned). */
    CompletionStage<Optional<Identity>> authenticate(String username, String password);

    /** Nobody: the broker refuses every client. */
    IdentityDirectory NOBODY = (u, p) -> CompletableFuture.completedFuture(Optional.empty());

    /** This directory first, then {@code next} for a username this one does not prove. */
    default IdentityDirectory orElse(IdentityDirectory next) {
        return (u, p) -> authenticate(u, p).thenCompose(found -> found.isPresent()
                ? CompletableFuture.completedFuture(found) : next.authenticate(u, p));
    }
}
