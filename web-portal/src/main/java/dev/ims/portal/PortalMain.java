package dev.ims.portal;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import dev.ims.model.config.ConfigException;
import dev.ims.model.config.ImsOptions;
import dev.ims.model.config.LogConfig;
import dev.ims.model.config.ImsSettings;
import dev.ims.model.security.BrokerAccounts;
import dev.ims.portal.device.BrokerAccountsChoice;
import io.vertx.core.Vertx;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The portal alone, against a real MongoDB. */
@Command(name = "web-portal", mixinStandardHelpOptions = true, description = "The IMS web portal and JSON API. Needs MONGO_URI.")
public final class PortalMain implements Callable<Integer> {

    static {
        LogConfig.use("logback-portal.xml");
    }

    @Mixin
    ImsOptions options;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PortalMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        ImsSettings ims;
        try {
            ims = options.settings(System.getenv());
        } catch (ConfigException e) {
            System.err.println("web-portal: " + e.getMessage());
            return 2;
        }
        if (ims.mongoUri().isEmpty()) {
            System.err.println("web-portal needs MONGO_URI (or --mongo-uri). For the all-in-one local stack, run ./ims instead.");
            return 2;
        }
        PortalSettings settings = PortalSettings.load(ims, System.getenv());
        MongoClient mongo = MongoClients.create(ims.mongoUri().get());
        Vertx vertx = Vertx.vertx();
        Portal portal = new Portal(settings, mongo.getDatabase(ims.mongoDatabase()), vertx);
        BrokerAccounts accounts = ims.mqttUrl().isPresent() ? BrokerAccountsChoice.open(ims, System.getenv()) : BrokerAccounts.STORE_BACKED;
        portal.withBrokerAccounts(accounts);
        int port = portal.start().toCompletionStage().toCompletableFuture().get();
        System.out.println("Portal: " + Portal.localUrl(ims.bindAddress(), port) + "   (listening on " + ims.bindAddress() + ":" + port
                + (ims.bindAddress().isLoopback() ? ", this machine only; IMS_BIND_ADDRESS=0.0.0.0 opens it to the network)" : ")"));
        if (portal.generatedAdminPassword() != null) {
            System.out.println("Staff account: admin / " + portal.generatedAdminPassword()
                    + "   (generated now and shown once; set IMS_ADMIN_PASSWORD to choose it)");
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            portal.close().toCompletionStage().toCompletableFuture().join();
            vertx.close().toCompletionStage().toCompletableFuture().join();
            mongo.close();
            if (accounts instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    // stopping anyway
                }
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }
}
