package dev.ims.portal.web;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;

/**
 * In front of the router: puts the {@link SecurityHeaders} on every answer (pages, API, static files and
 * every error, whichever handler writes it), and refuses a request whose target has broken percent-encoding
 * ({@code %ZZ}, a lone {@code %}) with 400, before the router's path matching and query decoding throw on it
 * (which would log a stack trace per request and answer 500).
 */
public final class RequestGuard implements Handler<HttpServerRequest> {

    private final Handler<HttpServerRequest> next;
    private final SecurityHeaders headers;

    public RequestGuard(Handler<HttpServerRequest> next, SecurityHeaders headers) {
        this.next = next;
        this.headers = headers;
    }

    @Override
    public void handle(HttpServerRequest request) {
        headers.apply(request.response());
        String uri = request.uri();
        if (uri != null && !wellEncoded(uri)) {
            String path = request.path();
            request.response().putHeader("Connection", "close");
            Responses.error(request.response(), path == null ? "/" : path,
                    400, "malformed percent-encoding in the request target");
            return;
        }
        next.handle(request);
    }

    /** Every {@code %} is followed by two hexadecimal digits. */
    static boolean wellEncoded(String uri) {
        for (int i = uri.indexOf('%'); i >= 0; i = uri.indexOf('%', i + 1)) {
            if (i + 2 >= uri.length() || Character.digit(uri.charAt(i + 1), 16) < 0 || Character.digit(uri.charAt(i + 2), 16) < 0) {
                return false;
            }
        }
        return true;
    }
}
