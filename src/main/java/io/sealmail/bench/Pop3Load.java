package io.sealmail.bench;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** POP3 figures over POP3S (RFC 1939): UIDL of the whole maildrop, then RETR of the first N messages. */
public final class Pop3Load {

    private Pop3Load() {
    }

    /** Login is not timed; each round is UIDL + RETR 1..count on a fresh session (POP3 clients reconnect). */
    public static ImapLoad.Rounds uidlAndRetr(ImapLoad.Server server, int count, int rounds) throws IOException {
        List<Long> times = new ArrayList<>();
        List<Long> cpu = new ArrayList<>();
        long messages = 0;
        long octets = 0;
        for (int r = 0; r < rounds; r++) {
            try (BenchConnection c = BenchConnection.open(server.host(), server.port(), server.ssl())) {
                expectOk(c.line(), "greeting");
                c.send("USER " + server.user());
                expectOk(c.line(), "USER");
                c.send("PASS " + server.password());
                expectOk(c.line(), "PASS");
                long before = c.received();
                long c0 = server.cpuMillis();
                long t0 = System.nanoTime();
                c.send("UIDL");
                messages = multiLine(c, "UIDL");
                for (int i = 1; i <= count; i++) {
                    c.send("RETR " + i);
                    multiLine(c, "RETR " + i);
                }
                times.add(System.nanoTime() - t0);
                ImapLoad.addCpu(cpu, server, c0);
                octets = c.received() - before;
                c.send("QUIT");
                c.line();
            }
        }
        return new ImapLoad.Rounds(times, messages, octets, cpu);
    }

    private static void expectOk(String line, String what) throws IOException {
        if (!line.startsWith("+OK")) {
            throw new IOException(what + " failed: " + line);
        }
    }

    /** Reads a multi-line response to its terminating "."; returns the number of lines in it. */
    private static long multiLine(BenchConnection c, String what) throws IOException {
        expectOk(c.line(), what);
        long lines = 0;
        String line;
        while (!(line = c.line()).equals(".")) {
            lines++;
        }
        return lines;
    }
}
