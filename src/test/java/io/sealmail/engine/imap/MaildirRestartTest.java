package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.pop3.POP3Folder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.sealmail.engine.imap.MailAccessTestServer.ANN;
import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production engine with its Maildir store: mail sent over SMTP is read over IMAP and POP3, flags are set,
 * the engine is stopped and started again on the same data directory, and UIDs, UIDVALIDITY, flags and UIDLs
 * are unchanged; two IMAP sessions on one mailbox see each other's changes.
 */
class MaildirRestartTest {
    @TempDir
    Path dir;

    @Test
    void uidsFlagsAndUidlsSurviveARestart() throws Exception {
        long uidValidity;
        long uid;
        String uidl;
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true)) {
            Session session = Session.getInstance(server.angusMail());
            for (String subject : new String[] {"first", "second"}) {
                MimeMessage msg = new MimeMessage(session);
                msg.setFrom(new InternetAddress(ANN));
                msg.setRecipient(Message.RecipientType.TO, new InternetAddress(JOE));
                msg.setSubject(subject);
                msg.setText("body of " + subject + "\n");
                Transport.send(msg, ANN, PASSWORD);
            }
            try (Store a = session.getStore("imaps"); Store b = session.getStore("imaps")) {
                a.connect("localhost", server.port(Role.IMAPS), JOE, PASSWORD);
                b.connect("localhost", server.port(Role.IMAPS), JOE, PASSWORD);
                IMAPFolder inboxA = (IMAPFolder) a.getFolder("INBOX");
                IMAPFolder inboxB = (IMAPFolder) b.getFolder("INBOX");
                inboxA.open(Folder.READ_WRITE);
                inboxB.open(Folder.READ_WRITE);
                assertThat(inboxA.getMessageCount()).isEqualTo(2);
                // Two deliveries in the same second may take either order in the directory: find it by subject.
                Message second = inboxA.getMessage(1).getSubject().equals("second") ? inboxA.getMessage(1) : inboxA.getMessage(2);
                assertThat(second.getSubject()).isEqualTo("second");
                uid = inboxA.getUID(second);
                uidValidity = inboxA.getUIDValidity();
                second.setFlags(new Flags(Flags.Flag.FLAGGED), true);
                // the other session sees the flag after a NOOP
                inboxB.getMessageCount();
                assertThat(inboxB.getMessageByUID(uid).isSet(Flags.Flag.FLAGGED)).isTrue();
                int otherSeq = inboxA.getMessage(1) == second ? 2 : 1;
                Message firstInB = inboxB.getMessage(otherSeq);
                inboxA.getMessage(otherSeq).setFlag(Flags.Flag.DELETED, true);
                inboxA.expunge();
                Thread.sleep(1100); // Angus sends its NOOP only after a second of quiet
                inboxB.getMessageCount(); // NOOP: B receives * 1 EXPUNGE
                assertThat(firstInB.isExpunged()).isTrue();
                assertThat(b.getFolder("INBOX").getMessageCount()).isEqualTo(1);
                inboxA.close(false);
                inboxB.close(false);
            }
            try (Store pop = session.getStore("pop3s")) {
                pop.connect("localhost", server.port(Role.POP3S), JOE, PASSWORD);
                POP3Folder inbox = (POP3Folder) pop.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                uidl = inbox.getUID(inbox.getMessage(1));
                inbox.close(false);
            }
        }
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true)) {
            Session session = Session.getInstance(server.angusMail());
            try (Store s = session.getStore("imaps")) {
                s.connect("localhost", server.port(Role.IMAPS), JOE, PASSWORD);
                IMAPFolder inbox = (IMAPFolder) s.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                assertThat(inbox.getUIDValidity()).isEqualTo(uidValidity);
                Message m = inbox.getMessageByUID(uid);
                assertThat(m.getSubject()).isEqualTo("second");
                assertThat(m.isSet(Flags.Flag.FLAGGED)).isTrue();
                assertThat(inbox.getUIDNext()).isEqualTo(uid + 1);
                inbox.close(false);
            }
            try (Store pop = session.getStore("pop3s")) {
                pop.connect("localhost", server.port(Role.POP3S), JOE, PASSWORD);
                POP3Folder inbox = (POP3Folder) pop.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                assertThat(inbox.getUID(inbox.getMessage(1))).isEqualTo(uidl);
                inbox.close(false);
            }
        }
    }
}
