package io.sealmail.cli;

import io.javaoperatorsdk.operator.Operator;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code sealmail operator}: reconciles MailServers until SIGTERM. Namespaces, image and leader election are set in
 * application.properties or the environment (docs/operator.md).
 */
@Command(name = "operator", mixinStandardHelpOptions = true,
        description = "Run the Kubernetes operator: reconcile MailServer resources until stopped.")
public class OperatorCommand implements Callable<Integer> {
    private static final Logger LOG = Logger.getLogger(OperatorCommand.class);

    @Inject
    Operator operator;

    @Override
    public Integer call() throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping the operator");
            try {
                operator.stop();
            } finally {
                stopped.countDown();
            }
        }, "sealmail-operator-shutdown"));
        try {
            operator.start();
        } catch (RuntimeException e) {
            System.err.println("sealmail operator: cannot start: " + e.getMessage());
            return 1;
        }
        LOG.info("operator started");
        stopped.await();
        return 0;
    }
}
