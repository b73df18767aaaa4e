package io.sealmail.cli;

import io.sealmail.bench.LoginFloodLoad;
import io.sealmail.bench.TrustedCa;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code sealmail bench login-flood}: a legitimate user's LOGIN+SELECT latency under a wrong-password flood. */
@Command(name = "login-flood", mixinStandardHelpOptions = true,
        description = {"IMAPS under a bad-login flood: ATTACKERS connections, each from its own local address",
                "(--attackers-from and up), send wrong passwords as fast as the server answers; meanwhile a user from",
                "--user-from logs in and SELECTs, SAMPLES times on fresh connections. Prints LOGIN+SELECT p50/p95/p99."})
public class BenchLoginFloodCommand implements Callable<Integer> {

    @Option(names = "--host", defaultValue = "localhost", description = "Name on the server's certificate (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--address", defaultValue = "127.0.4.1", description = "Server address (default: ${DEFAULT-VALUE}).")
    String address;

    @Option(names = "--port", defaultValue = "14993", description = "IMAPS port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--cafile", required = true, description = "CA certificate (PEM) the server's certificate must chain to.")
    Path caFile;

    @Option(names = "--user", required = true, description = "The legitimate login (attackers try it with wrong passwords).")
    String user;

    @Option(names = "--password", required = true, description = "Its password.")
    String password;

    @Option(names = "--folder", defaultValue = "INBOX", description = "Folder to SELECT (default: ${DEFAULT-VALUE}).")
    String folder;

    @Option(names = "--attackers", defaultValue = "500", description = "Attacking connections (default: ${DEFAULT-VALUE}).")
    int attackers;

    @Option(names = "--attackers-from", defaultValue = "127.4.0.1",
            description = "First attacker address; the others follow it (default: ${DEFAULT-VALUE}, i.e. 127.4.0.0/16).")
    String attackersFrom;

    @Option(names = "--user-from", defaultValue = "127.0.4.2", description = "The user's address (default: ${DEFAULT-VALUE}).")
    String userFrom;

    @Option(names = "--warmup", defaultValue = "5", description = "Seconds of flood before measuring (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(names = "--samples", defaultValue = "200", description = "LOGIN+SELECT measurements (default: ${DEFAULT-VALUE}).")
    int samples;

    @Override
    public Integer call() throws Exception {
        if (samples < 1 || attackers < 0) {
            throw new UserError("--samples must be at least 1 and --attackers at least 0");
        }
        LoginFloodLoad.Target target = new LoginFloodLoad.Target(host, new InetSocketAddress(address, port),
                TrustedCa.sslContext(caFile), user, password, folder);
        System.out.printf("sealmail bench login-flood: %s:%d, %d attackers from %s up, user from %s, %d samples%n",
                address, port, attackers, attackersFrom, userFrom, samples);
        LoginFloodLoad.Figures f = LoginFloodLoad.run(target, attackers, InetAddress.getByName(attackersFrom),
                InetAddress.getByName(userFrom), warmupSeconds * 1000L, samples);
        System.out.printf(Locale.ROOT, "user LOGIN+SELECT: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                f.percentileMillis(50), f.percentileMillis(95), f.percentileMillis(99), f.percentileMillis(100));
        System.out.printf(Locale.ROOT, "attackers: %d wrong passwords sent, %d refused, %d disconnects, %d connection errors%n",
                f.attempts(), f.refusals(), f.closes(), f.errors());
        return 0;
    }
}
