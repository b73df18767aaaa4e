package io.sealmail.cli;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import picocli.CommandLine;

/**
 * The one place the {@code sealmail} command line is configured. quarkus-picocli builds the command tree from
 * {@code @TopCommand} with CDI-aware instantiation; this producer (which replaces the extension's default one)
 * adds what every command shares, so later commands get it without doing anything.
 */
@ApplicationScoped
public class CommandLineCustomizer {
    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        return configure(factory.create());
    }

    /** Also used by tests that run commands in-process, so they see exactly what users see. */
    public static CommandLine configure(CommandLine commandLine) {
        return ErrorReporter.install(commandLine);
    }
}
