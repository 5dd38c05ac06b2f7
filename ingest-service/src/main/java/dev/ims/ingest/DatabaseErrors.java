package dev.ims.ingest;

import com.mongodb.MongoClientException;
import com.mongodb.MongoException;
import com.mongodb.MongoNodeIsRecoveringException;
import com.mongodb.MongoNotPrimaryException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.MongoWriteConcernException;
import java.util.concurrent.TimeoutException;

/**
 * Tells a database that cannot take writes now (wait and retry: the messages stay with the broker) from a
 * write that failed because of what was written (quarantine the message, so it cannot hold up the
 * pipeline). When in doubt the ingest also asks the database with a ping, see {@code IngestService}.
 */
final class DatabaseErrors {

    private DatabaseErrors() {}

    /** True when {@code e}, or a cause of it, says the database was unreachable or not taking writes. */
    static boolean unavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MongoSocketException || t instanceof MongoTimeoutException || t instanceof TimeoutException
                    || t instanceof MongoNotPrimaryException || t instanceof MongoNodeIsRecoveringException
                    || t instanceof MongoWriteConcernException || t instanceof MongoSecurityException
                    || t instanceof InterruptedException) {
                return true;
            }
            if (t instanceof MongoException m && (m.hasErrorLabel("RetryableWriteError")
                    || m.hasErrorLabel(MongoException.TRANSIENT_TRANSACTION_ERROR_LABEL))) {
                return true;
            }
            // The client itself refusing (closed, interrupted): not the data's fault either.
            if (t instanceof MongoClientException) {
                return true;
            }
            // Reactor's block(timeout) reports an elapsed timeout as a plain IllegalStateException.
            if (t instanceof IllegalStateException && String.valueOf(t.getMessage()).startsWith("Timeout on blocking read")) {
                return true;
            }
        }
        return false;
    }

    /** The exception class names along the cause chain, for the rejected document's detail. */
    static String describe(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null && b.length() < 400; t = t.getCause() == t ? null : t.getCause()) {
            if (b.length() > 0) {
                b.append(" <- ");
            }
            b.append(t.getClass().getName());
            if (t.getMessage() != null) {
                String m = t.getMessage().replaceAll("[\\r\\n\\t]", " ");
                b.append(": ").append(m.length() > 160 ? m.substring(0, 160) + "…" : m);
            }
        }
        return b.toString();
    }
}
