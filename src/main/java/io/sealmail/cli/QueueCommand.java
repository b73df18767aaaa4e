package io.sealmail.cli;

import picocli.CommandLine.Command;

/** {@code sealmail queue ...}: inspect the outbound queue on disk. */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "Inspect the outbound queue (mail for remote recipients waiting to be sent on).",
        subcommands = {
                QueueListCommand.class,
        })
public class QueueCommand {
}
