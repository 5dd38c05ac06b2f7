package dev.ims.model.config;

/**
 * Picks a program's logback configuration. Every runnable module ships its own
 * {@code logback-<name>.xml} (a plain {@code logback.xml} would clash on the launcher's classpath, and
 * the embedded broker's jar brings one too). Call first thing in {@code main}, before any logger exists;
 * {@code -Dlogback.configurationFile=...} still wins.
 */
public final class LogConfig {

    private LogConfig() {}

    public static void use(String resource) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", resource);
        }
    }
}
