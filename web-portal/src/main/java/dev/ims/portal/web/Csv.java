package dev.ims.portal.web;

import dev.ims.model.log.LogSafe;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CSV downloads (RFC 4180, UTF-8, CRLF). Large exports stream: rows are pulled a chunk at a time and the next
 * chunk is asked for only once the connection has taken the last, so memory stays bounded whatever the range.
 */
public final class Csv {

    private static final Logger LOG = LoggerFactory.getLogger(Csv.class);

    private Csv() {}

    /** A whole (small) table at once. */
    public static void send(RoutingContext ctx, String filename, List<String> header, List<List<Object>> rows) {
        StringBuilder b = new StringBuilder();
        line(b, header);
        for (List<Object> r : rows) {
            line(b, r);
        }
        headers(ctx.response(), filename).end(b.toString());
    }

    /**
     * Streams the rows {@code chunks} yields, a chunk at a time (an empty chunk ends the file); the next chunk is asked
     * for only once the connection has taken the last, so memory holds one chunk whatever the range. A failure mid-way
     * resets the connection (the file is then visibly incomplete); a closed connection stops asking.
     */
    public static void stream(RoutingContext ctx, String filename, List<String> header, Supplier<Future<List<List<Object>>>> chunks) {
        HttpServerResponse response = headers(ctx.response(), filename).setChunked(true);
        StringBuilder first = new StringBuilder();
        line(first, header);
        boolean[] closed = {false};
        response.closeHandler(x -> closed[0] = true);
        response.write(first.toString());
        pump(response, filename, chunks, closed);
    }

    private static void pump(HttpServerResponse response, String filename, Supplier<Future<List<List<Object>>>> chunks, boolean[] closed) {
        chunks.get().onFailure(t -> {
            LOG.warn("CSV export {} failed: {}", LogSafe.of(filename), LogSafe.of(t.toString()));
            response.reset();
        }).onSuccess(rows -> {
            if (closed[0]) {
                return;
            }
            if (rows.isEmpty()) {
                response.end();
                return;
            }
            StringBuilder b = new StringBuilder();
            rows.forEach(r -> line(b, r));
            response.write(b.toString());
            if (response.writeQueueFull()) {
                response.drainHandler(x -> {
                    response.drainHandler(null);
                    pump(response, filename, chunks, closed);
                });
            } else {
                pump(response, filename, chunks, closed);
            }
        });
    }

    private static HttpServerResponse headers(HttpServerResponse r, String filename) {
        return r.putHeader("Content-Type", "text/csv; charset=utf-8")
                .putHeader("Content-Disposition", "attachment; filename=\"" + filename.replaceAll("[^A-Za-z0-9._-]", "_") + "\"");
    }

    static void line(StringBuilder b, List<?> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(field(values.get(i)));
        }
        b.append("\r\n");
    }

    /** Quoted when needed; a leading = + - @ is prefixed with ' so spreadsheets do not run it as a formula. */
    static String field(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        String s = v.toString();
        if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) {
            s = "'" + s;
        }
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            s = "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
