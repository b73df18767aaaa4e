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

    ImapLoad.Server server(int port) throws Exception {
        return new ImapLoad.Server(host, port, TrustedCa.sslContext(caFile), user, password);
    }
}
