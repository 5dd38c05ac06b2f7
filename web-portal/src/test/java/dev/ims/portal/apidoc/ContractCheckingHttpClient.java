package dev.ims.portal.apidoc;

import java.io.IOException;
import java.net.Authenticator;
import java.net.CookieHandler;
import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * The portal tests' HTTP client: a {@link HttpClient} that sends through {@code delegate} and checks every answer to a
 * {@code /api/v1/...} request against the API document ({@link OpenApiContract#portal()}) before handing it back. An
 * answer the document does not describe (route, method, status, media type, or a JSON body its schema refuses) fails
 * the calling test with an {@link AssertionError} naming what differs. Bodies are checked when the caller reads them
 * as a {@code String} ({@code BodyHandlers.ofString()}, as the suites do); other body handlers get route, status and
 * media type checked.
 *
 * <p>The one hook: the suites build their clients with {@link #of(HttpClient)}, so every answer they already receive
 * is checked without a line of each test knowing about it.
 */
public final class ContractCheckingHttpClient extends HttpClient {

    private static final String API = "/api/v1/";

    private final HttpClient delegate;
    private final OpenApiContract contract;

    private ContractCheckingHttpClient(HttpClient delegate, OpenApiContract contract) {
        this.delegate = delegate;
        this.contract = contract;
    }

    /** {@code delegate}, checked against the portal's document. */
    public static HttpClient of(HttpClient delegate) {
        return new ContractCheckingHttpClient(delegate, OpenApiContract.portal());
    }

    /** {@code delegate}, checked against {@code contract}. */
    public static HttpClient of(HttpClient delegate, OpenApiContract contract) {
        return new ContractCheckingHttpClient(delegate, contract);
    }

    @Override
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) throws IOException, InterruptedException {
        return check(delegate.send(request, handler));
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        return delegate.sendAsync(request, handler).thenApply(this::check);
    }

    @Override
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, HttpResponse.BodyHandler<T> handler,
            HttpResponse.PushPromiseHandler<T> push) {
        return delegate.sendAsync(request, handler, push).thenApply(this::check);
    }

    private <T> HttpResponse<T> check(HttpResponse<T> response) {
        HttpRequest request = response.request();
        String path = request.uri().getRawPath();
        if (path == null || !path.startsWith(API) || request.method().equals("HEAD")) {
            return response;
        }
        String body = response.body() instanceof String s ? s : null;
        List<String> problems = contract.problems(request.method(), path, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null), body);
        if (!problems.isEmpty()) {
            throw new AssertionError("the answer differs from docs/openapi.yaml:\n  " + String.join("\n  ", problems)
                    + (body == null ? "" : "\nbody: " + (body.length() > 2000 ? body.substring(0, 2000) + "…" : body)));
        }
        return response;
    }

    @Override
    public Optional<CookieHandler> cookieHandler() {
        return delegate.cookieHandler();
    }

    @Override
    public Optional<Duration> connectTimeout() {
        return delegate.connectTimeout();
    }

    @Override
    public Redirect followRedirects() {
        return delegate.followRedirects();
    }

    @Override
    public Optional<ProxySelector> proxy() {
        return delegate.proxy();
    }

    @Override
    public SSLContext sslContext() {
        return delegate.sslContext();
    }

    @Override
    public SSLParameters sslParameters() {
        return delegate.sslParameters();
    }

    @Override
    public Optional<Authenticator> authenticator() {
        return delegate.authenticator();
    }

    @Override
    public Version version() {
        return delegate.version();
    }

    @Override
    public Optional<Executor> executor() {
        return delegate.executor();
    }
}
