package io.sealmail.cli;

import io.javaoperatorsdk.operator.Operator;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.sealmail.config.ConfigException;
import io.sealmail.http.HealthServer;
import io.sealmail.operator.OperatorReadiness;
import io.sealmail.operator.OperatorSettings;
import io.sealmail.operator.StartupFailure;
import io.fabric8.kubernetes.client.KubernetesClient;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sealmail operator}: reconciles MailServers until SIGTERM, with {@code /healthz}, {@code /readyz} and
 * {@code /metrics} on {@code sealmail.operator.http-address:http-port} (0.0.0.0:8080). Namespaces, image and leader
 * election are set in application.properties or the environment (docs/operator.md).
 */
@Command(name = "operator", mixinStandardHelpOptions = true,
        description = "Run the Kubernetes operator: reconcile MailServer resources until stopped.")
public class OperatorCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(OperatorCommand.class);

    @Inject
    Operator operator;
    @Inject
    OperatorSettings settings;
    @Inject
    PrometheusMeterRegistry registry;

    @Inject
    KubernetesClient client;

    private String apiServer() {
        try {
            return String.valueOf(client.getMasterUrl());
        } catch (RuntimeException e) {
            return "(no API server configured)";
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        HealthServer http;
        try {
            // Up before the operator starts, so liveness answers while the informers sync; ready once they have.
            http = HealthServer.start(settings.httpAddress(), settings.httpPort(), new OperatorReadiness(operator), registry);
        } catch (ConfigException e) {
            System.err.println("sealmail operator: sealmail.operator.http-port: " + e.getMessage());
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping the operator");
            try {
                operator.stop();
            } finally {
                http.close();
                stopped.countDown();
            }
        }, "sealmail-operator-shutdown"));
        try {
            LOG.infof("engine pods run %s", settings.resolveImage(client));
        } catch (IllegalStateException e) {
            System.err.println("sealmail operator: cannot start: " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            System.err.println("sealmail operator: cannot start: " + StartupFailure.describe(e, apiServer()));
            return 1;
        }
        try {
            operator.start();
        } catch (RuntimeException e) {
            System.err.println("sealmail operator: cannot start: " + StartupFailure.describe(e, apiServer()));
            return 1;
        }
        LOG.info("operator started");
        stopped.await();
        return 0;
    }
}
