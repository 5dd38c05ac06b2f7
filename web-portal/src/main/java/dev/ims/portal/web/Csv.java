package dev.ims.portal.web;

import dev.ims.model.log.LogSafe;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.function.Function;
import org.bson.Document;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CSV downloads (RFC 4180, UTF-8, CRLF). Large exports stream: rows are pulled from the database
 * {@value #BATCH} at a time and the next batch is requested only once the connection has taken the last,
 * so memory stays bounded whatever the range.
 */
public final class Csv {

    private static final Logger LOG = LoggerFactory.getLogger(Csv.class);
    static final int BATCH = 500;

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

    /** Streams {@code source} as rows; a database failure mid-way resets the connection (the file is then visibly incomplete). */
    public static void stream(RoutingContext ctx, String filename, List<String> header, Publisher<Document> source,
            Function<Document, List<Object>> row) {
        HttpServerResponse response = headers(ctx.response(), filename).setChunked(true);
        Context context = Vertx.currentContext();
        StringBuilder first = new StringBuilder();
        line(first, header);
        source.subscribe(new Subscriber<Document>() {
            private Subscription subscription;
            private StringBuilder buffer = first;
            private int inBatch;

            @Override
            public void onSubscribe(Subscription s) {
                subscription = s;
                context.runOnContext(v -> response.closeHandler(x -> s.cancel()));
                s.request(BATCH);
            }

            @Override
            public void onNext(Document d) {
                line(buffer, row.apply(d));
                if (++inBatch == BATCH) {
                    String chunk = buffer.toString();
                    buffer = new StringBuilder();
                    inBatch = 0;
                    context.runOnContext(v -> {
                        response.write(chunk);
                        if (response.writeQueueFull()) {
                            response.drainHandler(x -> subscription.request(BATCH));
                        } else {
                            subscription.request(BATCH);
                        }
                    });
                }
            }

            @Override
            public void onError(Throwable t) {
                LOG.warn("CSV export {} failed: {}", LogSafe.of(filename), LogSafe.of(t.toString()));
                context.runOnContext(v -> response.reset());
            }

            @Override
            public void onComplete() {
                String rest = buffer.toString();
                context.runOnContext(v -> response.end(rest));
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
