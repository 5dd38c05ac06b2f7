package dev.ims.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoSocketReadException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import org.bson.BsonSerializationException;
import org.junit.jupiter.api.Test;

class DatabaseErrorsTest {

    @Test
    void unreachableDatabase_isToldApartFromAWriteThatFailedForItsData() {
        assertThat(DatabaseErrors.unavailable(new MongoTimeoutException("no server"))).isTrue();
        assertThat(DatabaseErrors.unavailable(new RuntimeException(new MongoSocketReadException("reset", new ServerAddress())))).isTrue();
        assertThat(DatabaseErrors.unavailable(new IllegalStateException("Timeout on blocking read for 30000000000 NANOSECONDS"))).isTrue();

        assertThat(DatabaseErrors.unavailable(new BsonSerializationException("BSON cstring 'a\u0000b' is not valid"))).isFalse();
        assertThat(DatabaseErrors.unavailable(new IllegalArgumentException("year out of range"))).isFalse();
        assertThat(DatabaseErrors.unavailable(new NullPointerException())).isFalse();
    }

    @Test
    void describe_namesTheExceptionClasses_onOneLine() {
        String d = DatabaseErrors.describe(new IllegalStateException("outer\r\nforged line", new ArithmeticException("inner")));
        assertThat(d).contains("java.lang.IllegalStateException").contains("java.lang.ArithmeticException").doesNotContain("\n", "\r");
    }
}
