package io.sealmail.cli;

import picocli.CommandLine.Command;

/**
 * {@code sealmail bench ...}: figures users can reproduce on their own hardware. Benchmarks print numbers and
 * never judge them; add a subcommand per area ({@code ca}, {@code tls}, ...).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure Sealmail's performance on this machine.",
        subcommands = {
                CaBenchCommand.class,
                StoreBenchCommand.class,
                TlsBenchCommand.class,
                BenchSmtpCommand.class,
                BenchOutboundCommand.class,
                BenchImapCommand.class,
                BenchPop3Command.class,
                BenchFillCommand.class,
                BenchLoginFloodCommand.class,
                BenchMailAuthCommand.class,
        })
public class BenchCommand {
}
