package io.sealmail.cli;

import picocli.CommandLine.Command;

/** {@code sealmail bench ...}: figures for the docs, measured on this machine. Benchmarks, not tests. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure throughput on this machine (bounded in time; prints figures).",
        subcommands = {
                TlsBenchCommand.class,
        })
public class BenchCommand {
}
