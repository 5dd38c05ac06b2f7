package dev.ims.model.security;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A directory held in memory, keeping verifiers only ({@link Secrets#verifier}): the services of one stack, or
 * the identities a test creates. Thread-safe.
 */
public final class InMemoryDirectory implements IdentityDirectory {

    private record Entry(Identity identity, String verifier) {}

    private final ConcurrentMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** Adds (or replaces) {@code identity} with {@code secret}; returns the credential that proves it. */
    public Credential add(Identity identity, String secret) {
        entries.put(identity.name(), new Entry(identity, Secrets.verifier(secret)));
        return new Credential(identity.name(), secret);
    }

    /** Adds {@code identity} with a new random secret. */
    public Credential add(Identity identity) {
        return add(identity, Secrets.newSecret());
    }

    /** Removes the identity named {@code name}: its credential stops working for new connections. */
    public void remove(String name) {
        entries.remove(name);
    }

    /** The identity registered under {@code name}, whatever its secret. */
    public Optional<Identity> identityNamed(String name) {
        Entry e = name == null ? null : entries.get(name);
        return e == null ? Optional.empty() : Optional.of(e.identity());
    }

    /** {@link #identityNamed}: every identity held here is active. */
    @Override
    public CompletionStage<Optional<Identity>> lookup(String name) {
        return CompletableFuture.completedFuture(identityNamed(name));
    }

    @Override
    public CompletionStage<Optional<Identity>> authenticate(String username, String password) {
        Entry e = username == null ? null : entries.get(username);
        return CompletableFuture.completedFuture(e != null && Secrets.matches(password, e.verifier())
                ? Optional.of(e.identity()) : Optional.empty());
    }
}
