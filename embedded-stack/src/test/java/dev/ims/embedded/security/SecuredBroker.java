package dev.ims.embedded.security;

import dev.ims.model.security.Credential;

/** A running broker with identities, as the security contract ({@link BrokerSecurityContract}) drives it. */
interface SecuredBroker extends AutoCloseable {

    int port();

    Credential meter(String meterId);

    Credential ingest(String name);

    Credential portal(String name);

    /** A monitoring identity: subscribes to {@code $SYS/#} only. */
    Credential monitor(String name);

    /** Revokes {@code meterId}'s credential the way this broker's stack does it (closing its open connection). */
    void revokeMeter(String meterId);

    @Override
    void close() throws Exception;
}
