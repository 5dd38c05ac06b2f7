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

    /**
     * The identity named {@code name} if it exists and may connect (active: not decommissioned), without a secret:
     * for a client that proved its name otherwise, by a certificate the broker verified against its CA. Empty by
     * default: a directory that does not implement it admits nobody by certificate.
     */
    default CompletionStage<Optional<Identity>> lookup(String name) {
        return CompletableFuture.completedFuture(Optional.empty());
    }

    /** Nobody: the broker refuses every client. */
    IdentityDirectory NOBODY = (u, p) -> CompletableFuture.completedFuture(Optional.empty());

    /** This directory first, then {@code next} for a username this one does not prove. */
    default IdentityDirectory orElse(IdentityDirectory next) {
        IdentityDirectory first = this;
        return new IdentityDirectory() {
            @Override
            public CompletionStage<Optional<Identity>> authenticate(String u, String p) {
                return first.authenticate(u, p).thenCompose(found -> found.isPresent()
                        ? CompletableFuture.completedFuture(found) : next.authenticate(u, p));
            }

            @Override
            public CompletionStage<Optional<Identity>> lookup(String name) {
                return first.lookup(name).thenCompose(found -> found.isPresent()
                        ? CompletableFuture.completedFuture(found) : next.lookup(name));
            }
        };
    }
}
