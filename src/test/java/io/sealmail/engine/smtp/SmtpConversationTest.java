package io.sealmail.engine.smtp;

import io.sealmail.config.Role;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static io.sealmail.engine.smtp.SmtpTestServer.ALICE;
import static io.sealmail.engine.smtp.SmtpTestServer.BOB;
import static io.sealmail.engine.smtp.SmtpTestServer.PASSWORD;
import static io.sealmail.engine.smtp.SmtpTestServer.b64;
import static io.sealmail.engine.smtp.SmtpTestServer.plain;
import static org.assertj.core.api.Assertions.assertThat;

/** RFC 5321 and its extensions, one rule per test, over raw sockets against the real engine. */
class SmtpConversationTest {
    @TempDir
    static Path dir;
    static SmtpTestServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new SmtpTestServer(dir);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void healthyStore() {
        server.store.fail = false;
        server.store.gate = CompletableFuture.completedFuture(null);
    }

    // ------------------------------------------------------------ extensions per role and state

    @Test
    void port25OffersStarttlsButNeverAuth() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    S~ PIPELINING
                    S~ SIZE 26214400
                    S~ 8BITMIME
                    S~ ENHANCEDSTATUSCODES
                    S~ SMTPUTF8
                    S~ CHUNKING
                    S~ STARTTLS
                    S! AUTH
                    C: STARTTLS
                    S: 220 2.0.0
                    TLS
                    C: EHLO client.test
                    S: 250
                    S! STARTTLS
                    S! AUTH
                    C: AUTH PLAIN %s
                    S: 503 5.5.1
                    """.formatted(plain(ALICE, PASSWORD)));
        }
    }

    @Test
    void submissionOffersAuthOnlyAfterStarttls() throws Exception {
        try (Transcript t = server.connect(Role.SUBMISSION)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    S~ STARTTLS
                    S! AUTH
                    C: STARTTLS
                    S: 220 2.0.0
                    TLS
                    C: EHLO client.test
                    S: 250
                    S~ AUTH SCRAM-SHA-256 PLAIN LOGIN
                    S! STARTTLS
                    """);
        }
    }

    @Test
    void smtpsGreetsInsideTlsAndOffersAuth() throws Exception {
        try (Transcript t = server.connect(Role.SMTPS)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    S~ AUTH SCRAM-SHA-256 PLAIN LOGIN
                    S! STARTTLS
                    C: STARTTLS
                    S: 503 5.5.1
                    """);
        }
    }

    @Test
    void heloGetsNoExtensions() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: HELO client.test
                    S: 250 mail.test
                    C: EHLO
                    S: 501 5.5.4
                    """);
        }
    }

    // ------------------------------------------------------------ sequence and syntax

    @Test
    void commandsOutOfSequenceGet503() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: MAIL FROM:<x@remote.test>
                    S: 503 5.5.1 Error: send HELO/EHLO first
                    C: EHLO client.test
                    S: 250
                    C: RCPT TO:<alice@example.test>
                    S: 503 5.5.1 Error: need MAIL
                    C: DATA
                    S: 503 5.5.1 Error: need MAIL
                    C: MAIL FROM:<x@remote.test>
                    S: 250 2.1.0
                    C: DATA
                    S: 503 5.5.1 Error: need RCPT
                    C: MAIL FROM:<x@remote.test>
                    S: 503 5.5.1 Error: nested MAIL
                    C: RSET
                    S: 250 2.0.0
                    C: RCPT TO:<alice@example.test>
                    S: 503 5.5.1
                    """);
        }
    }

    @Test
    void unknownCommandsAndBadSyntaxGet500And501() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: FROB
                    S: 500 5.5.1
                    C: EXPN staff
                    S: 502 5.5.1
                    C: MAIL TO:<x@remote.test>
                    S: 501 5.1.7
                    C: MAIL FROM:<x@remote.test> FOO=BAR
                    S: 555 5.5.4
                    C: MAIL FROM:<x@remote.test> BODY=BINARYMIME
                    S: 555 5.5.4
                    C: MAIL FROM:<x@remote.test>
                    S: 250 2.1.0
                    C: RCPT TO:<alice@-bad.test>
                    S: 501 5.1.3
                    C: RSET extra
                    S: 501 5.5.4
                    """);
        }
    }

    @Test
    void vrfyNeverEnumeratesAndHelpNoopQuitWork() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: VRFY alice
                    S: 252 2.5.0
                    C: VRFY nobody
                    S: 252 2.5.0
                    C: HELP
                    S: 214 2.0.0
                    C: NOOP
                    S: 250 2.0.0
                    C: QUIT
                    S: 221 2.0.0
                    CLOSED
                    """);
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    """);
            t.send("MAIL FROM:<x@remote.test>\r\nRCPT TO:<nobody@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
            t.run("""
                    S: 250 2.1.0
                    S: 550 5.1.1
                    S: 250 2.1.5
                    S: 354
                    C: Subject: pipelined
                    C:
                    C: hi
                    C: .
                    S: 250 2.0.0 Ok: queued as
                    """);
        }
    }

    // ------------------------------------------------------------ inbound delivery on 25

    @Test
    void inboundMessageIsDeliveredWithTraceHeadersAndExactUnstuffedBody() throws Exception {
        int before = server.store.messages("bob@example.test").size();
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO sender.test
                    S: 250
                    C: MAIL FROM:<Carol@Remote.Test> SIZE=100 BODY=8BITMIME
                    S: 250 2.1.0
                    C: RCPT TO:<Bob@Example.Test>
                    S: 250 2.1.5
                    C: DATA
                    S: 354
                    """);
            t.send("Subject: dots\r\n\r\n..leading\r\n...two\r\n.\r\n");
            t.expect("250 2.0.0");
        }
        List<String> messages = server.store.messages("bob@example.test");
        assertThat(messages).hasSize(before + 1);
        String m = messages.get(messages.size() - 1);
        assertThat(m).startsWith("Return-Path: <Carol@remote.test>\r\nReceived: from sender.test ([127.0.0.1])\r\n\tby mail.test (Sealmail) with ESMTP id ");
        assertThat(m).contains("\r\n\tfor <Bob@example.test>; ");
        assertThat(m).endsWith("\r\nSubject: dots\r\n\r\n.leading\r\n..two\r\n");
    }

    @Test
    void receivedHeaderNamesTlsVersionAndCipherAfterStarttls() throws Exception {
        int before = server.store.messages("bob@example.test").size();
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO sender.test
                    S: 250
                    C: STARTTLS
                    S: 220
                    TLS
                    C: EHLO sender.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    C: Subject: tls
                    C:
                    C: body
                    C: .
                    S: 250 2.0.0
                    """);
        }
        List<String> messages = server.store.messages("bob@example.test");
        assertThat(messages).hasSize(before + 1);
        assertThat(messages.get(messages.size() - 1))
                .containsPattern("\\(using TLSv1\\.3 with cipher TLS_[A-Z0-9_]+ \\((128/128|256/256) bits\\)\\)\r\n\tby mail.test \\(Sealmail\\) with ESMTPS id ");
    }

    @Test
    void aliasesAndPostmasterResolveToTheirAccount() throws Exception {
        int before = server.store.messages(ALICE).size();
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO sender.test
                    S: 250
                    C: MAIL FROM:<>
                    S: 250
                    C: RCPT TO:<Postmaster>
                    S: 250 2.1.5
                    C: RCPT TO:<sales@example.test>
                    S: 250 2.1.5
                    C: DATA
                    S: 354
                    C: Subject: one copy
                    C: .
                    S: 250
                    """);
        }
        // Two addresses of one account: one copy (as Postfix with Dovecot LMTP would deliver).
        assertThat(server.store.messages(ALICE)).hasSize(before + 1);
        assertThat(server.store.messages(ALICE).get(before)).startsWith("Return-Path: <>\r\n");
    }

    @Test
    void unknownLocalUsersGet550() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO sender.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<nobody@example.test>
                    S: 550 5.1.1 <nobody@example.test>: Recipient address rejected
                    C: DATA
                    S: 554 5.5.1 Error: no valid recipients
                    """);
        }
    }

    // ------------------------------------------------------------ relay protection

    @ParameterizedTest
    @ValueSource(strings = {
            "<victim@remote.test>",
            "<victim%remote.test@example.test>",
            "<remote.test!victim@example.test>",
            "<@example.test:victim@remote.test>",
            "<@example.test,@relay.test:alice@example.test>",
            "<victim@remote.test@example.test>",
            "<\"victim@remote.test\"@example.test>",
            "<\"victim%remote.test\"@example.test>",
            "<victim@[192.0.2.1]>",
    })
    void port25NeverRelays(String recipient) throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO sender.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:%s
                    S: 554 5.7.1
                    S~ Relay access denied
                    """.formatted(recipient));
        }
    }

    @Test
    void routingTricksAreRefusedOnSubmissionToo() throws Exception {
        try (Transcript t = server.submission()) {
            t.run("""
                    C: MAIL FROM:<alice@example.test>
                    S: 250
                    C: RCPT TO:<victim%remote.test@example.test>
                    S: 554 5.7.1
                    C: RCPT TO:<@relay.test:victim@remote.test>
                    S: 554 5.7.1
                    """);
        }
    }

    // ------------------------------------------------------------ submission rules

    @Test
    void submissionRefusesAuthAndMailBeforeStarttls() throws Exception {
        try (Transcript t = server.connect(Role.SUBMISSION)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: AUTH PLAIN %s
                    S: 530 5.7.0 Must issue a STARTTLS command first
                    C: MAIL FROM:<alice@example.test>
                    S: 530 5.7.0 Must issue a STARTTLS command first
                    """.formatted(plain(ALICE, PASSWORD)));
        }
        assertThat(server.accounts.authenticateCalls.get()).as("the password was never even checked").isZero();
    }

    @Test
    void submissionRequiresAuthBeforeMail() throws Exception {
        try (Transcript t = server.connect(Role.SMTPS)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: MAIL FROM:<alice@example.test>
                    S: 530 5.7.0 Authentication required
                    """);
        }
    }

    @Test
    void authenticatedUsersSendOnlyAsThemselvesOrTheirAliases() throws Exception {
        try (Transcript t = server.submission()) {
            t.run("""
                    C: MAIL FROM:<bob@example.test>
                    S: 553 5.7.1
                    C: MAIL FROM:<>
                    S: 553 5.7.1
                    C: MAIL FROM:<alice@example.test.evil>
                    S: 553 5.7.1
                    C: MAIL FROM:<Sales@Example.Test>
                    S: 250 2.1.0
                    C: RSET
                    S: 250
                    C: MAIL FROM:<ALICE@example.test>
                    S: 250 2.1.0
                    """);
        }
    }

    @Test
    void submissionQueuesRemoteRecipientsAndDeliversLocalOnes() throws Exception {
        int before = server.store.messages(BOB).size();
        int queued = server.store.queued.size();
        try (Transcript t = server.submission()) {
            t.run("""
                    C: MAIL FROM:<alice@example.test>
                    S: 250
                    C: RCPT TO:<friend@remote.test>
                    S: 250 2.1.5
                    C: RCPT TO:<bob@example.test>
                    S: 250 2.1.5
                    C: DATA
                    S: 354
                    C: Subject: out
                    C:
                    C: hello
                    C: .
                    S: 250 2.0.0
                    """);
        }
        assertThat(server.store.messages(BOB)).hasSize(before + 1);
        assertThat(server.store.messages(BOB).get(before)).contains("with ESMTPSA id");
        assertThat(server.store.queued).hasSize(queued + 1);
        assertThat(server.store.queued.get(queued).recipients()).containsExactly("friend@remote.test");
        assertThat(server.store.queued.get(queued).returnPath()).isEqualTo("alice@example.test");
    }

    @Test
    void authLoginAndCancelAndFailures() throws Exception {
        try (Transcript t = server.connect(Role.SMTPS)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: AUTH LOGIN
                    S: 334 VXNlcm5hbWU6
                    C: *
                    S: 501 5.0.0
                    C: AUTH CRAM-MD5
                    S: 504 5.5.4
                    C: AUTH LOGIN
                    S: 334 VXNlcm5hbWU6
                    C: %s
                    S: 334 UGFzc3dvcmQ6
                    C: %s
                    S: 235 2.7.0
                    C: AUTH PLAIN %s
                    S: 503 5.5.1
                    """.formatted(b64(BOB), b64(PASSWORD), plain(BOB, PASSWORD)));
        }
        assertThat(server.accounts.eventLoopThreadSeen).as("passwords are checked off the event loop").isNull();
    }

    @Test
    void repeatedAuthFailuresCloseTheConnection() throws Exception {
        try (Transcript t = server.connect(Role.SMTPS)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: AUTH PLAIN %1$s
                    S: 535 5.7.8
                    C: AUTH PLAIN
                    S: 334
                    C: %1$s
                    S: 535 5.7.8
                    C: AUTH PLAIN %1$s
                    S: 535 5.7.8
                    S: 421 4.7.0
                    CLOSED
                    """.formatted(plain(ALICE, "wrong")));
        }
    }

    @Test
    void authzidForAnotherUserIsRefused() throws Exception {
        String token = java.util.Base64.getEncoder().encodeToString(("bob@example.test\0" + ALICE + "\0" + PASSWORD).getBytes());
        try (Transcript t = server.connect(Role.SMTPS)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: AUTH PLAIN %s
                    S: 535 5.7.8
                    C: AUTH PLAIN not-base64!
                    S: 501 5.5.2
                    """.formatted(token));
        }
    }

    // ------------------------------------------------------------ STARTTLS

    @Test
    void commandsPipelinedBehindStarttlsAreDiscarded() throws Exception {
        int before = server.store.messages(BOB).size();
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    """);
            // CVE-2011-0411: a man in the middle appends commands to the client's STARTTLS.
            t.send("STARTTLS\r\nMAIL FROM:<evil@remote.test>\r\nRCPT TO:<bob@example.test>\r\n");
            t.run("""
                    S: 220 2.0.0
                    TLS
                    C: EHLO client.test
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 503 5.5.1 Error: need MAIL
                    C: DATA
                    S: 503 5.5.1
                    """);
        }
        assertThat(server.store.messages(BOB)).hasSize(before);
    }

    @Test
    void starttlsForgetsTheEhloAndTheTransaction() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: STARTTLS
                    S: 220
                    TLS
                    C: RCPT TO:<bob@example.test>
                    S: 503 5.5.1 Error: send HELO/EHLO first
                    C: MAIL FROM:<carol@remote.test>
                    S: 503 5.5.1 Error: send HELO/EHLO first
                    """);
        }
    }

    @Test
    void plaintextAfterStarttlsKillsTheConnection() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: STARTTLS
                    S: 220
                    C: MAIL FROM:<evil@remote.test>
                    CLOSED
                    """);
        }
    }

    // ------------------------------------------------------------ DATA content rules

    @ParameterizedTest
    @ValueSource(strings = {"\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r.\r\n", "\n.\r"})
    void smugglingIsRefusedAndTheHiddenMessageIsNeverRun(String fakeEnd) throws Exception {
        int bob = server.store.messages(BOB).size();
        int alice = server.store.messages(ALICE).size();
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO sender.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    """);
            t.send("Subject: innocent\r\n\r\nhello" + fakeEnd
                    + "MAIL FROM:<ceo@example.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\nSubject: forged\r\n\r\npay now\r\n.\r\n");
            t.expect("550 5.5.2");
            // Had the hidden MAIL/RCPT/DATA run, their 250 2.1.0 / 2.1.5 / 354 would come before this.
            t.run("""
                    C: NOOP
                    S: 250 2.0.0 Ok
                    """);
        }
        assertThat(server.store.messages(BOB)).hasSize(bob);
        assertThat(server.store.messages(ALICE)).hasSize(alice);
    }

    @Test
    void refusedContentLeavesNoMessageAndTheSessionContinues() throws Exception {
        int bob = server.store.messages(BOB).size();
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO sender.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    """);
            t.send("Subject: x\r\n\r\nbare\nlf\r\n.\r\n");
            t.run("""
                    S: 550 5.5.2 Error: bare <LF> received
                    C: RCPT TO:<bob@example.test>
                    S: 503 5.5.1
                    C: NOOP
                    S: 250
                    """);
        }
        assertThat(server.store.messages(BOB)).hasSize(bob);
        assertThat(server.store.openSpools).as("the refused spool was deleted").isEmpty();
    }

    @Test
    void overlongCommandLineGets500AndTheSessionResynchronises() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: NOOP %s
                    S: 500 5.5.2
                    C: NOOP
                    S: 250
                    """.formatted("x".repeat(600)));
        }
    }

    @Test
    void overlongTextLineRefusesTheMessage() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    C: Subject: long
                    C:
                    C: %s
                    C: .
                    S: 500 5.5.2
                    C: NOOP
                    S: 250
                    """.formatted("y".repeat(999)));
        }
    }

    @Test
    void non_asciiAddressesNeedSmtputf8() throws Exception {
        int before = server.store.messages(BOB).size();
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: MAIL FROM:<jürgen@bücher.test>
                    S: 553 5.6.7
                    C: MAIL FROM:<jürgen@bücher.test> SMTPUTF8
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    C: Subject: grüße
                    C: .
                    S: 250
                    """);
        }
        assertThat(server.store.messages(BOB).get(before)).startsWith("Return-Path: <jürgen@bücher.test>").contains("with UTF8SMTP id");
    }

    // ------------------------------------------------------------ BDAT (RFC 3030)

    @Test
    void bdatChunksMakeOneMessage() throws Exception {
        int before = server.store.messages(BOB).size();
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    """);
            t.send("BDAT 19\r\nSubject: chunks\r\n\r\n");
            t.expect("250 2.0.0 19 octets received");
            t.send("BDAT 8 LAST\r\n.\r\nend\r\n");
            t.expect("250 2.0.0 Ok: queued as");
            t.run("""
                    C: DATA
                    S: 503 5.5.1 Error: need MAIL
                    """);
        }
        assertThat(server.store.messages(BOB).get(before)).endsWith("\r\nSubject: chunks\r\n\r\n.\r\nend\r\n");
    }

    @Test
    void aRefusedBdatChunkIsStillConsumed() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    """);
            t.send("BDAT 12 LAST\r\nNOOP\r\nQUIT\r\n");
            t.run("""
                    S: 503 5.5.1 Error: need MAIL
                    C: NOOP
                    S: 250
                    C: DATA
                    S: 503 5.5.1
                    """);
        }
    }

    @Test
    void bareLfInBdatIsRefused() throws Exception {
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    """);
            t.send("BDAT 8 LAST\r\na\nb\r\nc\r\n");
            t.run("""
                    S: 550 5.5.2
                    C: NOOP
                    S: 250
                    """);
        }
    }

    // ------------------------------------------------------------ durability contract

    @Test
    void twoFiftyWaitsForTheStoreAndAFailureGives451() throws Exception {
        int before = server.store.messages(BOB).size();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        server.store.gate = gate;
        try (Transcript t = server.connect(Role.SMTP)) {
            t.run("""
                    C: EHLO client.test
                    S: 250
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    C: Subject: wait
                    C: .
                    C: NOOP
                    """);
            t.socket().setSoTimeout(500);
            org.assertj.core.api.Assertions.assertThatThrownBy(t::reply).isInstanceOf(java.net.SocketTimeoutException.class);
            t.socket().setSoTimeout(10_000);
            gate.complete(null);
            t.run("""
                    S: 250 2.0.0 Ok: queued as
                    S: 250 2.0.0
                    """);
            server.store.fail = true;
            t.run("""
                    C: MAIL FROM:<carol@remote.test>
                    S: 250
                    C: RCPT TO:<bob@example.test>
                    S: 250
                    C: DATA
                    S: 354
                    C: Subject: fails
                    C: .
                    S: 451 4.3.0
                    """);
        }
        assertThat(server.store.messages(BOB)).hasSize(before + 1);
    }
}
