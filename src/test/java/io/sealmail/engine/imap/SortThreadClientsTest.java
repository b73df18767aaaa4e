package io.sealmail.engine.imap;

import io.sealmail.config.Role;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.search.FromStringTerm;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.SortTerm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

import static io.sealmail.engine.imap.MailAccessTestServer.JOE;
import static io.sealmail.engine.imap.MailAccessTestServer.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real clients' SORT and THREAD against the engine over TLS from our CA: Angus Mail's
 * {@link IMAPFolder#getSortedMessages} (its SortTerm), and Python imaplib's sort() and thread(), over the folder of
 * {@link SortThreadTest} (delivered now, so messages 3 and 9, whose sent date is their INTERNALDATE, may be a
 * second apart: the checks do not depend on their order).
 */
class SortThreadClientsTest {
    @TempDir
    static Path dir;
    static MailAccessTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new MailAccessTestServer(dir);
        for (String m : SortThreadTest.MESSAGES) {
            server.deliver(JOE, m);
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String numbers(Message[] messages) {
        return Arrays.stream(messages).map(m -> String.valueOf(m.getMessageNumber())).collect(Collectors.joining(" "));
    }

    @Test
    void angusMailGetSortedMessages() throws Exception {
        Session session = Session.getInstance(server.angusMail());
        try (Store store = session.getStore("imaps")) {
            store.connect("localhost", server.port(Role.IMAPS), JOE, PASSWORD);
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(((org.eclipse.angus.mail.imap.IMAPStore) store).hasCapability("SORT")).isTrue();
            assertThat(numbers(inbox.getSortedMessages(new SortTerm[] {SortTerm.FROM}))).isEqualTo("2 6 5 1 9 7 8 4 3");
            assertThat(numbers(inbox.getSortedMessages(new SortTerm[] {SortTerm.TO}))).isEqualTo("7 8 9 3 1 6 5 2 4");
            assertThat(numbers(inbox.getSortedMessages(new SortTerm[] {SortTerm.CC, SortTerm.REVERSE, SortTerm.SUBJECT})))
                    .as("no Cc sorts first; among those, subjects in reverse").isEqualTo("1 9 7 8 4 5 6 3 2");
            String reverseDate = numbers(inbox.getSortedMessages(new SortTerm[] {SortTerm.REVERSE, SortTerm.DATE}));
            assertThat(reverseDate).endsWith(" 8 7 2 1 4 5 6").matches("(3 9|9 3) .*");
            assertThat(numbers(inbox.getSortedMessages(new SortTerm[] {SortTerm.SUBJECT}, new FromStringTerm("dave"))))
                    .isEqualTo("7 8");
            inbox.close(false);
        }
    }

    @Test
    void pythonImaplibSortAndThread() throws Exception {
        Path script = dir.resolve("python_sort_thread.py");
        try (InputStream in = getClass().getResourceAsStream("/imap/python_sort_thread.py")) {
            Files.write(script, in.readAllBytes());
        }
        ExternalClientsTest.Result r = ExternalClientsTest.run(Map.of("CA", server.pki().caCrt().toString(),
                "USER_NAME", JOE, "PASSWORD", PASSWORD, "IMAPS", "" + server.port(Role.IMAPS)), "python3", script.toString());
        assertThat(r.out()).contains("ALL OK");
        assertThat(r.exit()).isZero();
    }
}
