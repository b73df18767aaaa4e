package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.sealmail.engine.imap.MailAccessTestServer.ANN;
import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/** A message submitted over SMTP (587, STARTTLS, AUTH) is read back over IMAP and POP3 of the same engine. */
class SmtpToImapTest {
    @TempDir
    static Path dir;
    static MailAccessTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new MailAccessTestServer(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void submittedMailIsReadOverImapAndPop3() throws Exception {
        Session session = Session.getInstance(server.angusMail());
        MimeMessage msg = new MimeMessage(session);
        msg.setFrom(new InternetAddress(ANN));
        msg.setRecipient(Message.RecipientType.TO, new InternetAddress(JOE));
        msg.setSubject("over smtp");
        msg.setText("sent through submission\n.with a dot line\n");
        Transport.send(msg, ANN, PASSWORD);

        try (Store imap = session.getStore("imaps")) {
            imap.connect("localhost", server.port(Role.IMAPS), JOE, PASSWORD);
            IMAPFolder inbox = (IMAPFolder) imap.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message got = inbox.getMessage(inbox.getMessageCount());
            assertThat(got.getSubject()).isEqualTo("over smtp");
            assertThat(((String) got.getContent()).replace("\r\n", "\n")).isEqualTo("sent through submission\n.with a dot line\n");
            assertThat(got.getHeader("Return-Path")[0]).isEqualTo("<" + ANN + ">");
            inbox.close(false);
        }
        try (Store pop = session.getStore("pop3s")) {
            pop.connect("localhost", server.port(Role.POP3S), JOE, PASSWORD);
            Folder inbox = pop.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            Message got = inbox.getMessage(inbox.getMessageCount());
            assertThat(got.getSubject()).isEqualTo("over smtp");
            assertThat(((String) got.getContent()).replace("\r\n", "\n")).isEqualTo("sent through submission\n.with a dot line\n");
            inbox.close(false);
        }
    }
}
