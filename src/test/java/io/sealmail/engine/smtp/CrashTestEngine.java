package io.sealmail.engine.smtp;

import io.sealmail.config.EngineConfig;
import io.sealmail.config.Limits;
import io.sealmail.config.Listener;
import io.sealmail.config.Role;
import io.sealmail.config.TlsFiles;
import io.sealmail.engine.MailEngine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The engine as a child process for {@link SmtpCrashTest}: {@code CrashTestEngine DIR PORT} serves port 25 on
 * 127.0.0.1 with the production Maildir store under DIR/data and prints {@code READY <port>} once it accepts connections.
 */
public final class CrashTestEngine {
    private CrashTestEngine() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        TestAccounts accounts = new TestAccounts(List.of("example.test")).user(SmtpTestServer.BOB, SmtpTestServer.PASSWORD);
        EngineConfig config = new EngineConfig("mail.test", List.of("example.test"),
                List.of(new Listener(Role.SMTP, "127.0.0.1", port)),
                new TlsFiles(dir.resolve("tls/tls.crt").toString(), dir.resolve("tls/tls.key").toString()),
                dir.resolve("accounts").toString(), Map.of(), dir.resolve("data").toString(), Limits.DEFAULTS, "127.0.0.1", -1);
        MailEngine engine = MailEngine.builder(config).accounts(accounts).start(); // production MaildirStore from dataDir
        System.out.println("READY " + engine.port(Role.SMTP));
        System.out.flush();
        engine.awaitClose();
    }
}
