package io.sealmail.cli;

import io.sealmail.bench.ImapLoad;
import io.sealmail.bench.TrustedCa;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The server and login options {@code sealmail bench imap} and {@code bench pop3} share (a picocli mixin). */
public class MailboxServerOptions {

    @Option(names = "--host", defaultValue = "localhost", description = "Server name (verified against its certificate; default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--cafile", required = true, description = "CA certificate (PEM) the server's certificate must chain to.")
    Path caFile;

    @Option(names = "--user", required = true, description = "Login.")
    String user;

    @Option(names = "--password", required = true, description = "Password.")
    String password;

    @Option(names = "--server-pid", description = {"The server's process (its children included): each figure also reports the server's CPU time,",
            "and the idle test its memory."})
    Long serverPid;

    ImapLoad.Server server(int port) throws Exception {
        return new ImapLoad.Server(host, port, TrustedCa.sslContext(caFile), user, password, serverPid);
    }

    /** "; server CPU 12.3 ms per round" when the server's process is known, else nothing. */
    static String cpu(ImapLoad.Rounds r) {
        double ms = r.warmCpuMillis();
        return Double.isNaN(ms) ? "" : String.format(java.util.Locale.ROOT, "; server CPU %.1f ms per warm round", ms);
    }
}
