package io.sealmail.engine.auth;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Figures for docs/accounts.md: how long one verification takes, per hash kind, on this machine. Prints, never asserts.
 * Run: {@code ./mvnw -B test -Dtest=PasswordHashBenchmark -DexcludedGroups=}
 */
@Tag("benchmark")
class PasswordHashBenchmark {
    @Test
    void verifyTimes() {
        SecureRandom random = new SecureRandom();
        char[] pw = "correct horse battery staple".toCharArray();
        measure("argon2id m=19456,t=2,p=1 (default)", Argon2Hash.create(pw, Argon2Hash.Parameters.OWASP, random), pw);
        measure("argon2id m=65536,t=3,p=4 (argon2-cffi default)", Argon2Hash.create(pw, new Argon2Hash.Parameters(65536, 3, 4), random), pw);
        measure("bcrypt cost 10", BcryptHash.create(pw, 10, random), pw);
        measure("bcrypt cost 12", BcryptHash.create(pw, 12, random), pw);
    }

    private static void measure(String label, PasswordHash hash, char[] pw) {
        for (int i = 0; i < 3; i++) {
            hash.verify(pw);
        }
        // CPU time of this thread as well as wall time: on a shared, loaded machine the CPU figure is the one that
        // says what a login costs the server.
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long[] wall = new long[15];
        long[] cpu = new long[15];
        for (int i = 0; i < wall.length; i++) {
            long c0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            hash.verify(pw);
            wall[i] = System.nanoTime() - t0;
            cpu[i] = threads.getCurrentThreadCpuTime() - c0;
        }
        Arrays.sort(wall);
        Arrays.sort(cpu);
        System.out.printf("%-48s CPU median %6.1f ms (min %6.1f)  wall median %6.1f ms (min %6.1f)%n", label,
                cpu[cpu.length / 2] / 1e6, cpu[0] / 1e6, wall[wall.length / 2] / 1e6, wall[0] / 1e6);
    }
}
