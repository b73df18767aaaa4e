package io.sealmail.cli;

import picocli.CommandLine;

/** Runs {@code sealmail demo} in a child JVM for {@link DemoCommandTest}, exactly as the command line would. */
public final class DemoMain {
    public static void main(String[] args) {
        System.exit(ErrorReporter.install(new CommandLine(new DemoCommand())).execute(args));
    }
}
