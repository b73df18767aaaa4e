package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.event.MailEvent;
import jakarta.mail.event.MessageChangedEvent;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.eclipse.angus.mail.imap.MessageVanishedEvent;
import org.eclipse.angus.mail.imap.ResyncData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Angus Mail's CONDSTORE/QRESYNC support against the engine with its Maildir store: HIGHESTMODSEQ, a QRESYNC open
 * that reports what another session changed and expunged, getMessagesByUIDChangedSince, and MODSEQ after a restart.
 */
class AngusMailResyncTest {
    @TempDir
    Path dir;

    private static MimeMessage message(Session session, String subject) throws Exception {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("ann@example.test"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(JOE));
        m.setSubject(subject);
        m.setText("body of " + subject + "\n");
        return m;
    }

    @Test
    void resyncReportsChangedFlagsAndVanishedMessagesAndModseqSurvivesARestart() throws Exception {
        long uidValidity;
        long known;
        long highest;
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true)) {
            Session session = Session.getInstance(server.angusMail());
            try (IMAPStore a = (IMAPStore) session.getStore("imaps"); Store b = session.getStore("imaps")) {
                a.connect("localhost", server.port(Role.IMAPS), JOE, PASSWORD);
                assertThat(a.hasCapability("CONDSTORE")).isTrue();
                assertThat(a.hasCapability("QRESYNC")).isTrue();
                IMAPFolder inbox = (IMAPFolder) a.getFolder("INBOX");
                inbox.appendMessages(new Message[] {message(session, "one"), message(session, "two"), message(session, "three")});
                inbox.open(Folder.READ_WRITE);
                uidValidity = inbox.getUIDValidity();
                known = inbox.getHighestModSeq();
                assertThat(known).isPositive();
                inbox.close(false);

                // Another client flags message 1 and expunges message 3 while this one is away.
                b.connect("localhost", server.port(Role.IMAPS), JOE, PASSWORD);
                IMAPFolder other = (IMAPFolder) b.getFolder("INBOX");
                other.open(Folder.READ_WRITE);
                other.getMessageByUID(1).setFlag(Flags.Flag.FLAGGED, true);
                other.getMessageByUID(3).setFlag(Flags.Flag.DELETED, true);
                other.expunge();
                other.close(false);

                // One round trip: SELECT INBOX (QRESYNC (uidvalidity modseq)).
                List<MailEvent> events = inbox.open(Folder.READ_WRITE, new ResyncData(uidValidity, known));
                assertThat(events).filteredOn(e -> e instanceof MessageVanishedEvent).singleElement()
                        .satisfies(e -> assertThat(((MessageVanishedEvent) e).getUIDs()).containsExactly(3L));
                assertThat(events).filteredOn(e -> e instanceof MessageChangedEvent).singleElement()
                        .satisfies(e -> assertThat(inbox.getUID(((MessageChangedEvent) e).getMessage())).isEqualTo(1L));
                assertThat(inbox.getMessageCount()).isEqualTo(2);
                highest = inbox.getHighestModSeq();
                assertThat(highest).isGreaterThan(known);
                Message[] changed = inbox.getMessagesByUIDChangedSince(1, IMAPFolder.LASTUID, known);
                assertThat(Arrays.stream(changed).map(m -> {
                    try {
                        return inbox.getUID(m);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })).containsExactly(1L);
                assertThat(changed[0].isSet(Flags.Flag.FLAGGED)).isTrue();
                inbox.close(false);
            }
        }
        try (MailAccessTestServer server = new MailAccessTestServer(dir, l -> l, true)) {
            Session session = Session.getInstance(server.angusMail());
            try (IMAPStore a = (IMAPStore) session.getStore("imaps")) {
                a.connect("localhost", server.port(Role.IMAPS), JOE, PASSWORD);
                IMAPFolder inbox = (IMAPFolder) a.getFolder("INBOX");
                List<MailEvent> events = inbox.open(Folder.READ_WRITE, new ResyncData(uidValidity, highest));
                assertThat(events == null ? List.of() : events).as("nothing changed across the restart").isEmpty();
                assertThat(inbox.getHighestModSeq()).isEqualTo(highest);
                inbox.getMessageByUID(2).setFlag(Flags.Flag.SEEN, true);
                assertThat(inbox.getMessagesByUIDChangedSince(1, IMAPFolder.LASTUID, highest)).hasSize(1);
                inbox.close(false);
            }
        }
    }
}
