package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.event.MessageCountAdapter;
import jakarta.mail.event.MessageCountEvent;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.SubjectTerm;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Angus Mail's IMAP and POP3 stores against the real engine over TLS from our CA. */
class AngusMailClientTest {
    @TempDir
    static Path dir;
    static MailAccessTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new MailAccessTestServer(dir);
        server.deliver(JOE, ImapSessionTest.MULTIPART);
        server.deliver(JOE, "From: carol@example.com\nTo: joe@example.test\nSubject: second\n\nplain body\n");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private Session session(String protocol) {
        Properties p = new Properties();
        p.put("mail." + protocol + ".ssl.socketFactory", server.pki().clientContext().getSocketFactory());
        p.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        if (!protocol.endsWith("s")) {
            p.put("mail." + protocol + ".starttls.enable", "true");
            p.put("mail." + protocol + ".starttls.required", "true");
        }
        p.put("mail." + protocol + ".timeout", "10000");
        p.put("mail.debug", System.getProperty("mail.debug", "false"));
        return Session.getInstance(p);
    }

    private Store connect(String protocol, Role role) throws MessagingException {
        Store store = session(protocol).getStore(protocol);
        store.connect("localhost", server.port(role), JOE, PASSWORD);
        return store;
    }

    @Test
    void imapsFoldersFetchFlagsSearchMove() throws Exception {
        try (Store store = connect("imaps", Role.IMAPS)) {
            Folder[] folders = store.getDefaultFolder().list("*");
            assertThat(Arrays.stream(folders).map(Folder::getFullName))
                    .contains("INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive");
            Folder work = store.getFolder("Work/Projects");
            assertThat(work.create(Folder.HOLDS_MESSAGES)).isTrue();
            assertThat(store.getFolder("Work").exists()).isTrue();

            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            assertThat(inbox.getMessageCount()).isGreaterThanOrEqualTo(2);
            Message first = inbox.getMessageByUID(1);
            assertThat(first.getSubject()).isEqualTo("Hello there");
            assertThat(first.getFrom()[0].toString()).isEqualTo("Alice Example <alice@example.com>");
            Multipart mp = (Multipart) first.getContent();
            assertThat(mp.getCount()).isEqualTo(2);
            assertThat(mp.getBodyPart(0).getContent()).isEqualTo("Body text line");
            assertThat(mp.getBodyPart(1).getFileName()).isEqualTo("a.bin");
            assertThat(mp.getBodyPart(1).getInputStream().readAllBytes()).containsExactly(0, 1, 2, 3);
            assertThat(first.isSet(Flags.Flag.SEEN)).isTrue();

            first.setFlag(Flags.Flag.FLAGGED, true);
            Message[] found = inbox.search(new SubjectTerm("second"));
            assertThat(found).hasSize(1);
            assertThat(inbox.getUID(found[0])).isEqualTo(2);

            Folder archive = store.getFolder("Archive");
            int beforeMove = inbox.getMessageCount();
            inbox.moveMessages(found, archive);
            // Angus keeps expunged Message objects in an open folder; ask the server (STATUS) instead.
            assertThat(store.getFolder("INBOX").getMessageCount()).isEqualTo(beforeMove - 1);
            archive.open(Folder.READ_ONLY);
            assertThat(archive.getMessages()[0].getSubject()).isEqualTo("second");
            archive.close(false);
            inbox.close(false);

            // flags survive the session
            IMAPFolder again = (IMAPFolder) store.getFolder("INBOX");
            again.open(Folder.READ_ONLY);
            assertThat(again.getMessageByUID(1).isSet(Flags.Flag.FLAGGED)).isTrue();
            again.close(false);
        }
    }

    @Test
    void imapStartTlsAppendAndIdleNotification() throws Exception {
        try (Store store = connect("imap", Role.IMAP)) {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            int before = inbox.getMessageCount();
            CountDownLatch arrived = new CountDownLatch(1);
            inbox.addMessageCountListener(new MessageCountAdapter() {
                @Override
                public void messagesAdded(MessageCountEvent e) {
                    arrived.countDown();
                }
            });
            Thread idler = new Thread(() -> {
                try {
                    inbox.idle(true);
                } catch (MessagingException ignored) {
                    // the test checks the latch
                }
            });
            idler.start();
            // Whether the delivery lands before the server has entered IDLE or during it, the idling client is told:
            // IDLE reports what changed since the last command, then pushes what changes while it lasts.
            server.deliver(JOE, "Subject: pushed\n\nnew mail\n");
            assertThat(arrived.await(30, TimeUnit.SECONDS)).as("the idling client was told of the new message").isTrue();
            idler.join(5000);
            assertThat(inbox.getMessageCount()).isEqualTo(before + 1);

            Folder drafts = store.getFolder("Drafts");
            MimeMessage draft = new MimeMessage(session("imap"));
            draft.setSubject("draft one");
            draft.setText("text");
            draft.setFlag(Flags.Flag.DRAFT, true);
            drafts.appendMessages(new Message[] {draft});
            drafts.open(Folder.READ_ONLY);
            assertThat(drafts.getMessages()[drafts.getMessageCount() - 1].getSubject()).isEqualTo("draft one");
            drafts.close(false);
            inbox.close(false);
        }
    }

    @Test
    void imapWithoutStartTlsCannotLogIn() {
        Properties p = new Properties();
        p.put("mail.imap.starttls.enable", "false");
        p.put("mail.imap.timeout", "5000");
        assertThatThrownBy(() -> {
            try (Store store = Session.getInstance(p).getStore("imap")) {
                store.connect("127.0.0.1", server.port(Role.IMAP), JOE, PASSWORD);
            }
        }).isInstanceOf(MessagingException.class);
    }

    @Test
    void pop3sAndPop3StlsReadAndDelete() throws Exception {
        server.deliver(MailAccessTestServer.ANN, "Subject: for pop\n\n.leading dot\nline\n");
        server.deliver(MailAccessTestServer.ANN, "Subject: keep\n\nkeep me\n");
        Store pop = session("pop3s").getStore("pop3s");
        pop.connect("localhost", server.port(Role.POP3S), MailAccessTestServer.ANN, PASSWORD);
        Folder inbox = pop.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        assertThat(inbox.getMessageCount()).isEqualTo(2);
        Message m = inbox.getMessage(1);
        assertThat(m.getSubject()).isEqualTo("for pop");
        assertThat(((String) m.getContent()).replace("\r\n", "\n")).isEqualTo(".leading dot\nline\n");
        m.setFlag(Flags.Flag.DELETED, true);
        inbox.close(true);
        pop.close();

        Store stls = session("pop3").getStore("pop3");
        stls.connect("localhost", server.port(Role.POP3), MailAccessTestServer.ANN, PASSWORD);
        Folder again = stls.getFolder("INBOX");
        again.open(Folder.READ_ONLY);
        assertThat(again.getMessageCount()).isEqualTo(1);
        assertThat(again.getMessage(1).getSubject()).isEqualTo("keep");
        again.close(false);
        stls.close();
    }
}
