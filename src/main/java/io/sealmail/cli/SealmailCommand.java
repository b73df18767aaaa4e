package io.sealmail.cli;

import io.quarkus.picocli.runtime.annotations.TopCommand;
import picocli.CommandLine.Command;

/** The single entry point: {@code sealmail <command>}. Each role and tool is a subcommand. */
@TopCommand
@Command(name = "sealmail",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Secure mail on Kubernetes: the operator, its mail engine, and tools.",
        subcommands = {
                CaCommand.class,
                EngineCommand.class,
                QueueCommand.class,
                DemoCommand.class,
                BenchCommand.class,
                HashPasswordCommand.class,
        })
public class SealmailCommand {
}
