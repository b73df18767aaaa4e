package io.sealmail.cli;

import picocli.CommandLine.Command;

/** {@code sealmail ca ...}: create a certificate authority, issue and inspect certificates. */
@Command(name = "ca", mixinStandardHelpOptions = true,
        description = "Create a certificate authority, issue and inspect certificates.",
        subcommands = {
                CaInitCommand.class,
                CaIssueCommand.class,
                CaInspectCommand.class,
        })
public class CaCommand {
}
