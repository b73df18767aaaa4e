package io.sealmail.engine.imap;

import io.sealmail.store.mailbox.MailFolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SORT and THREAD keys are made once per folder for all its sessions ({@link SortKeys.Shared}, kept by the Maildir
 * store beside the folder): a second session finds them, sessions that make them at the same moment on other threads
 * answer exactly as one session alone, and messages that come and go are keyed correctly.
 */
class SharedSortKeysTest {
    private static final List<String> COMMANDS = List.of("THREAD REFERENCES UTF-8 ALL", "THREAD ORDEREDSUBJECT UTF-8 ALL",
            "THREAD REFS UTF-8 ALL", "SORT (REVERSE DATE) UTF-8 ALL", "SORT (SUBJECT FROM) UTF-8 ALL",
            "SORT (DISPLAYTO CC) UTF-8 ALL");

    @TempDir
    Path dir;
    private MaildirImapStore imap;

    @BeforeEach
    void setUp() throws Exception {
        imap = new MaildirImapStore(dir);
        Transcript t = login();
        for (String m : SortThreadTest.MESSAGES) {
            SortThreadTest.append(t, "INBOX", m);
        }
    }

    @AfterEach
    void tearDown() {
        imap.close();
    }

    private Transcript login() {
        Transcript t = imap.connect();
        assertThat(t.output()).startsWith("* OK");
        assertThat(t.send("a LOGIN joe@example.com secret")).contains("a OK");
        return t;
    }

    private Transcript selected(String folder) {
        Transcript t = login();
        assertThat(t.send("s SELECT " + folder)).contains("s OK");
        return t;
    }

    /** The untagged answer line of {@code command}, checked to end OK. */
    private static String answer(Transcript t, String command) {
        String out = t.send("c " + command);
        assertThat(out).as(command).contains("\r\nc OK ");
        return out.substring(0, out.indexOf("\r\n"));
    }

    private SortKeys.Shared kept(String folder) throws Exception {
        try (MailFolder f = imap.access.forAccount("joe@example.com").open(folder)) {
            return f.shared(SortKeys.Shared.class, k -> k);
        }
    }

    @Test
    void aSecondSessionFindsTheKeysTheFirstMadeAndAnswersTheSame() throws Exception {
        Transcript first = selected("INBOX");
        List<String> answers = new ArrayList<>();
        for (String c : COMMANDS) {
            answers.add(answer(first, c));
        }
        assertThat(answers.get(0)).isEqualTo(SortThreadTest.ANSWERS.get("THREAD REFERENCES UTF-8 ALL"));
        SortKeys.Shared keys = kept("INBOX");
        assertThat(keys).as("kept beside the folder after the first session").isNotNull();
        assertThat(keys.entries()).isEqualTo(SortThreadTest.MESSAGES.size());
        int ids = keys.ids.size();
        int subjects = keys.subjects.size();

        first.send("z LOGOUT");
        Transcript second = selected("INBOX");
        for (int i = 0; i < COMMANDS.size(); i++) {
            assertThat(answer(second, COMMANDS.get(i))).isEqualTo(answers.get(i));
        }
        assertThat(kept("INBOX")).as("the same keys, not made again").isSameAs(keys);
        assertThat(keys.entries()).isEqualTo(SortThreadTest.MESSAGES.size());
        assertThat(keys.ids.size()).as("no Message-ID numbered twice").isEqualTo(ids);
        assertThat(keys.subjects.size()).isEqualTo(subjects);
    }

    @Test
    void messagesThatComeAndGoAreKeyedAsInAFolderSortedForTheFirstTime() throws Exception {
        Transcript a = selected("INBOX");
        answer(a, "THREAD REFERENCES UTF-8 ALL");
        // Another session adds a reply to 6 and expunges 2; a's next command sees both.
        Transcript b = selected("INBOX");
        SortThreadTest.append(b, "INBOX", "From: amy@example.com\nSubject: Re: Budget\nDate: Thu, 4 Dec 2025 08:00:00 +0000\n"
                + "Message-ID: <j@x.test>\nIn-Reply-To: <f@x.test>\n\nagreed\n");
        assertThat(b.send("d STORE 2 +FLAGS.SILENT (\\Deleted)")).contains("d OK");
        assertThat(b.send("e EXPUNGE")).contains("e OK");
        assertThat(a.send("n NOOP")).contains("* 2 EXPUNGE\r\n* 9 EXISTS");
        List<String> shared = new ArrayList<>();
        for (String c : COMMANDS) {
            shared.add(answer(a, c));
        }
        assertThat(shared.get(0)).as("the change is seen").isNotEqualTo(SortThreadTest.ANSWERS.get(COMMANDS.get(0)));
        // The same messages copied into a new folder: its keys are made from nothing.
        assertThat(b.send("f CREATE Fresh")).contains("f OK");
        assertThat(b.send("g COPY 1:* Fresh")).contains("g OK");
        Transcript fresh = selected("Fresh");
        for (int i = 0; i < COMMANDS.size(); i++) {
            assertThat(shared.get(i)).as(COMMANDS.get(i)).isEqualTo(answer(fresh, COMMANDS.get(i)));
        }
        assertThat(kept("INBOX").entries()).as("the new message keyed beside the others")
                .isEqualTo(SortThreadTest.MESSAGES.size() + 1);
    }

    @Test
    void sessionsMakingTheKeysAtOnceOnOtherThreadsAnswerAsOneSessionAlone() throws Exception {
        List<String> alone = new ArrayList<>();
        Transcript one = selected("INBOX");
        for (String c : COMMANDS) {
            alone.add(answer(one, c));
        }
        int sessions = 4;
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        try {
            for (int round = 0; round < 25; round++) {
                // A folder nobody has sorted yet, so that the sessions race to make every key.
                String folder = "Race" + round;
                assertThat(one.send("f CREATE " + folder)).contains("f OK");
                assertThat(one.send("g COPY 1:* " + folder)).contains("g OK");
                CyclicBarrier start = new CyclicBarrier(sessions);
                List<Future<List<String>>> results = new ArrayList<>();
                for (int s = 0; s < sessions; s++) {
                    int offset = s;
                    results.add(pool.submit(() -> {
                        Transcript t = selected(folder);
                        start.await(30, TimeUnit.SECONDS);
                        List<String> got = new ArrayList<>();
                        for (int i = 0; i < COMMANDS.size(); i++) {
                            // Each session in another order, so they make different keys first.
                            int k = (i + offset) % COMMANDS.size();
                            got.add(k + " " + answer(t, COMMANDS.get(k)));
                        }
                        got.sort(null);
                        return got;
                    }));
                }
                for (Future<List<String>> r : results) {
                    List<String> got = r.get(60, TimeUnit.SECONDS);
                    for (int i = 0; i < COMMANDS.size(); i++) {
                        assertThat(got.get(i)).as("round %d, %s", round, COMMANDS.get(i)).isEqualTo(i + " " + alone.get(i));
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void keysFullOfExpungedMessagesAreStartedAgainAtTheNextSelect() throws Exception {
        selected("INBOX");
        SortKeys.Shared keys;
        try (MailFolder f = imap.access.forAccount("joe@example.com").open("INBOX")) {
            keys = SortKeys.Shared.of(f, 9);
            assertThat(SortKeys.Shared.of(f, 9)).as("kept while it fits").isSameAs(keys);
            for (long uid = 1000; uid < 1000 + SortKeys.Shared.SLACK + 100; uid++) {
                keys.entry(uid); // entries of messages since expunged
            }
            assertThat(keys.outgrown(9)).isTrue();
            SortKeys.Shared next = SortKeys.Shared.of(f, 9);
            assertThat(next).isNotSameAs(keys);
            assertThat(next.entries()).isZero();
            assertThat(SortKeys.Shared.of(f, 9)).isSameAs(next);
        }
        Transcript t = selected("INBOX");
        assertThat(answer(t, "THREAD REFERENCES UTF-8 ALL")).isEqualTo(SortThreadTest.ANSWERS.get("THREAD REFERENCES UTF-8 ALL"));
    }

    @Test
    void keysOfAnotherUidValidityAreNotReused() {
        long[] validity = {7};
        Object[] kept = {null};
        // A folder as the store shows it, whose UIDVALIDITY changes (as after a rebuilt UID list).
        MailFolder folder = (MailFolder) java.lang.reflect.Proxy.newProxyInstance(MailFolder.class.getClassLoader(),
                new Class<?>[] {MailFolder.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "uidValidity" -> validity[0];
                    case "shared" -> kept[0] = ((java.util.function.UnaryOperator<Object>) args[1]).apply(kept[0]);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        SortKeys.Shared first = SortKeys.Shared.of(folder, 9);
        first.entry(1);
        assertThat(SortKeys.Shared.of(folder, 9)).isSameAs(first);
        validity[0] = 8;
        SortKeys.Shared next = SortKeys.Shared.of(folder, 9);
        assertThat(next).isNotSameAs(first);
        assertThat(next.entries()).isZero();
    }
}
